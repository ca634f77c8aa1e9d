#!/usr/bin/env node
// mongodump and mongorestore of the mongo stand-in image (linked under both names): MongoDB's database tools are in
// no reachable registry. They take the flags the platform's backup job passes (--uri, --db, --archive, --gzip,
// --nsInclude "<db>.*", --drop, --quiet) and refuse every other. The archive is theirs, not MongoDB's: gzip of
// one JSON line per record (a header, then per collection its indexes and its documents as canonical Extended
// JSON), read back only by this mongorestore. What they prove and what not: scripts/images/README.md.
'use strict';
const { createReadStream, createWriteStream } = require('node:fs');
const { basename } = require('node:path');
const readline = require('node:readline');
const zlib = require('node:zlib');
const { MongoClient, BSON } = require(require.resolve('mongodb', { paths: ['/usr/local/lib/mongosh/node_modules'] }));

const FORMAT = 'k8s-platform mongo stand-in archive 1';
const tool = basename(process.argv[1]);
const FLAGS = {
  mongodump: ['uri', 'db', 'archive', 'gzip', 'quiet'],
  mongorestore: ['uri', 'archive', 'gzip', 'drop', 'nsInclude', 'quiet'],
};

function parse(argv) {
  const opts = {};
  for (const arg of argv) {
    const m = /^--([A-Za-z]+)(?:=(.*))?$/.exec(arg);
    if (!m || !FLAGS[tool].includes(m[1])) throw new Error(`${tool} (stand-in): unsupported argument ${arg}`);
    opts[m[1]] = m[2] ?? true;
  }
  for (const required of ['uri', 'archive', 'gzip']) {
    if (!opts[required]) throw new Error(`${tool} (stand-in): --${required} is required`);
  }
  return opts;
}

async function dump(client, opts) {
  const db = client.db(opts.db || undefined);
  const gzip = zlib.createGzip();
  const out = createWriteStream(opts.archive);
  gzip.pipe(out);
  const write = (record) =>
    new Promise((resolve) => (gzip.write(`${JSON.stringify(record)}\n`) ? resolve() : gzip.once('drain', resolve)));
  await write({ format: FORMAT, db: db.databaseName });
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  for (const name of collections) {
    const indexes = (await db.collection(name).indexes()).filter((i) => i.name !== '_id_');
    await write({ collection: name, indexes });
    // One snapshot per collection: MongoDB's own tool is no more consistent across collections without --oplog.
    for await (const doc of db.collection(name).find({})) {
      await write({ c: name, d: BSON.EJSON.serialize(doc, { relaxed: false }) });
    }
  }
  await new Promise((resolve, reject) => {
    out.on('finish', resolve).on('error', reject);
    gzip.end();
  });
}

async function restore(client, opts) {
  const lines = readline.createInterface({
    input: createReadStream(opts.archive).pipe(zlib.createGunzip()),
    crlfDelay: Infinity,
  });
  let db;
  let batch = [];
  let collection;
  const flush = async () => {
    if (batch.length) await db.collection(collection).insertMany(batch, { ordered: true });
    batch = [];
  };
  for await (const line of lines) {
    const record = JSON.parse(line);
    if (!db) {
      if (record.format !== FORMAT) throw new Error(`${opts.archive} is not an archive of this mongodump`);
      const wanted = typeof opts.nsInclude === 'string' ? opts.nsInclude.replace(/\.\*$/, '') : record.db;
      if (wanted !== record.db) throw new Error(`the archive holds database ${record.db}, not ${wanted}`);
      db = client.db(record.db);
    } else if (record.collection !== undefined) {
      await flush();
      collection = record.collection;
      if (opts.drop)
        await db
          .collection(collection)
          .drop()
          .catch(() => undefined);
      for (const index of record.indexes) {
        // The index's own options, without what the server sets itself (its version and namespace).
        const options = Object.fromEntries(Object.entries(index).filter(([k]) => !['key', 'v', 'ns'].includes(k)));
        await db.collection(collection).createIndex(index.key, options);
      }
    } else {
      batch.push(BSON.EJSON.deserialize(record.d, { relaxed: false }));
      if (batch.length >= 1000) await flush();
    }
  }
  await flush();
  if (!db) throw new Error(`${opts.archive} is empty`);
}

(async () => {
  const opts = parse(process.argv.slice(2));
  const client = new MongoClient(opts.uri, { serverSelectionTimeoutMS: 30000 });
  try {
    await client.connect();
    await (tool === 'mongodump' ? dump : restore)(client, opts);
  } finally {
    await client.close();
  }
})().catch((error) => {
  console.error(`${tool}: ${error.message}`);
  process.exit(1);
});

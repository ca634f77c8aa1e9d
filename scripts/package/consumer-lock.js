/**
 * `node consumer-lock.js <repo> <consumer>`: writes the consumer's package-lock.json from the repository's, for
 * the dependencies in the consumer's package.json (and theirs, transitively), so that `npm install --offline`
 * needs only tarballs, which `npm ci` left in the npm cache (npm ci fetches no registry metadata; resolving
 * ranges would). A `file:` dependency on the packed library is locked as the tarball it names, its own
 * dependencies taken from its package.json.
 */
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const [repo, consumer] = process.argv.slice(2).map((p) => resolve(p));
const source = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')).packages;
const manifest = JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf8'));
const packages = { '': { name: manifest.name, version: manifest.version } };
const root = packages[''];

/** The lock path npm would find `name` at, from the package at `from` (nearest node_modules first). */
function locate(from, name) {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (source[path]) return path;
    if (!dir) return undefined;
  }
}

function add(path) {
  if (packages[path]) return;
  const entry = source[path];
  packages[path] = entry;
  for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
    const dep = locate(path, name);
    if (dep) add(dep);
    else if (!entry.optionalDependencies?.[name]) throw new Error(`${path}: ${name} is not in the repository's lock`);
  }
}

for (const kind of ['dependencies', 'devDependencies']) {
  for (const [name, spec] of Object.entries(manifest[kind] ?? {})) {
    (root[kind] ??= {})[name] = spec;
    if (spec.startsWith('file:') && spec.endsWith('.tgz')) {
      const tarball = resolve(consumer, spec.slice('file:'.length));
      const packed = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
      const integrity = `sha512-${require('node:crypto').createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
      packages[`node_modules/${name}`] = {
        version: packed.version,
        resolved: spec,
        integrity,
        ...(packed.dependencies ? { dependencies: packed.dependencies } : {}),
        ...(packed.peerDependencies ? { peerDependencies: packed.peerDependencies } : {}),
        ...(packed.peerDependenciesMeta ? { peerDependenciesMeta: packed.peerDependenciesMeta } : {}),
        ...(packed.bin ? { bin: packed.bin } : {}),
      };
      for (const dep of Object.keys(packed.dependencies ?? {})) add(`node_modules/${dep}`);
    } else {
      const path = `node_modules/${name}`;
      if (!source[path]) throw new Error(`${name} is not in the repository's lock`);
      add(path);
    }
  }
}
const lock = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');

/**
 * `node readme-snippets.js <README.md> <outdir> [<library source>]`: writes every ```ts block of the README as a
 * TypeScript module in <outdir>, importing from `k8s-platform` (the installed package, or <library source>'s
 * `platform/index.ts` when given), and a tsconfig.json checking them strictly; `npx tsc -p <outdir>` then says
 * whether every snippet compiles. A snippet is a fragment of an app file, so the names its prose introduces
 * (`app`, `db`, `backend`, `settings`, ...) are declared with their types; everything else it uses must exist.
 */
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const [readme, outdir, source] = process.argv.slice(2);
if (!readme || !outdir) {
  console.error('usage: node readme-snippets.js <README.md> <outdir> [<library source>]');
  process.exit(2);
}

const PRELUDE = `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { AppSettings, Database, LoadGenerator, MessageBroker, PlatformChart, Route, Service, Worker } from 'k8s-platform';
import type { HealthCheck } from 'k8s-platform';

// Names the README's prose introduces before a snippet uses them.
declare const scope: Construct;
declare const app: PlatformChart;
declare const settings: AppSettings;
declare const db: Database;
declare const backend: Service;
declare const api: Service;
declare const backendCanary: Service;
declare const frontend: Service;
declare const roomRouter: Service;
declare const image: string;
declare const liveness: HealthCheck;
declare const records: unknown[];
void [readFileSync, join, AppSettings, Database, LoadGenerator, MessageBroker, PlatformChart, Route, Service, Worker];
`;

const lines = readFileSync(readme, 'utf8').split('\n');
const snippets = [];
for (let i = 0; i < lines.length; i++) {
  if (lines[i] !== '```ts') continue;
  const start = i + 1;
  let end = start;
  while (end < lines.length && lines[end] !== '```') end++;
  snippets.push({ line: start, code: lines.slice(start, end).join('\n') });
  i = end;
}
mkdirSync(outdir, { recursive: true });
for (const { line, code } of snippets) {
  // A snippet that is a whole declaration (`export function chat...`) stays at module level; a fragment of a
  // function body (statements, `const app = ...`) goes into one, where it may shadow the prelude's names.
  const body = /^export /m.test(code) ? code : `export function snippet(): void {\n${code}\n}`;
  writeFileSync(join(outdir, `readme-line-${line}.ts`), `${PRELUDE}\n// README.md line ${line}\n${body}\n`);
}
const compilerOptions = {
  target: 'ES2022',
  module: 'node16',
  moduleResolution: 'node16',
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
  ...(source ? { paths: { 'k8s-platform': [resolve(source, 'platform/index.ts')] } } : {}),
};
writeFileSync(join(outdir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }, null, 2) + '\n');
console.log(`${snippets.length} README snippets written to ${outdir}`);

/**
 * Part of `npm run build`: copies the CRDs of `../shared/crds` (or `$SHARED_DIR/crds`) into `dist/crds`, so that
 * the packed library validates custom resources in a consumer's repository, which has no `shared/` beside it.
 */
const { cpSync, existsSync, readdirSync, rmSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const from = process.env.SHARED_DIR
  ? join(resolve(process.env.SHARED_DIR), 'crds')
  : join(root, '..', 'shared', 'crds');
const to = join(root, 'dist', 'crds');
if (!existsSync(from)) {
  console.error(`bundle-crds: no CRD folder at ${from} (set SHARED_DIR)`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
const files = readdirSync(from).filter((f) => /\.ya?ml$/.test(f) || f === 'SOURCES.md');
for (const f of files) cpSync(join(from, f), join(to, f));
console.log(`bundle-crds: ${files.length} files into ${to}`);

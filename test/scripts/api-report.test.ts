import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiReport } from '../../scripts/api-report';

const ROOT = join(__dirname, '..', '..');

test('docs/api.md lists exactly what the package exports (npm run api-report after an intended change)', () => {
  expect(apiReport(ROOT)).toBe(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8'));
}, 60_000);

test('a symbol exported by accident shows in the report, with its kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'api-report-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(
    join(dir, 'lib', 'internal.ts'),
    'export function sortKeys(): void {}\nexport interface Spec { a: 1 }\n',
  );
  writeFileSync(join(dir, 'index.ts'), "export { Widget } from './widget';\nexport * from './lib/internal';\n");
  writeFileSync(join(dir, 'widget.ts'), 'export class Widget {}\n');
  expect(apiReport(dir, { pkg: 'index.ts' })).toContain(
    '## `pkg` (3 symbols, from `index.ts`)\n\n- `sortKeys` (function)\n- `Spec` (interface)\n- `Widget` (class)\n',
  );
});

test('the main entry exports no internal builder (resolve*, add*, render*, validate*): those are imported by module path', () => {
  const report = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const main = report.split('\n## ').find((section) => section.startsWith('`k8s-platform` ('));
  expect(main).toBeDefined();
  const builders = [...(main ?? '').matchAll(/^- `((?:resolve|add|render|validate)[A-Z]\w*)` \(function\)$/gm)].map(
    (m) => m[1],
  );
  expect(builders).toEqual([]);
});

/**
 * Issue 26: the starter is a repository of its own (its type check, its cdk8s CLI, its dependency on the library
 * inside the copy) and the package ships what its README links to. `npm run test:package` runs all of it; these
 * are the fast checks of the same promises.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

const root = join(__dirname, '..', '..');
const starter = join(root, 'examples', 'starter');
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const pkg = json(join(starter, 'package.json'));
const repo = json(join(root, 'package.json'));

test("the starter's library dependency is a path inside the starter, so a copy of it installs", () => {
  const spec: string = pkg.dependencies['k8s-platform'];
  expect(spec).toMatch(/^file:.+\.tgz$/);
  const inside = relative(starter, resolve(starter, spec.slice('file:'.length)));
  expect(inside.startsWith('..') || isAbsolute(inside)).toBe(false);
});

test('its test script type-checks before jest, with a tsconfig tsc accepts (module and resolution both node16)', () => {
  expect(pkg.scripts.test).toMatch(/^tsc --noEmit\b.*&& jest$/);
  const { compilerOptions } = json(join(starter, 'tsconfig.json'));
  expect(compilerOptions.module.toLowerCase()).toBe(compilerOptions.moduleResolution.toLowerCase());
  expect(compilerOptions.strict).toBe(true);
});

test('npx cdk8s works in the starter: cdk8s-cli is a devDependency pinned like this repository’s', () => {
  expect(pkg.devDependencies['cdk8s-cli']).toBe(repo.devDependencies['cdk8s-cli']);
  expect(pkg.devDependencies['cdk8s-cli']).toMatch(/^\d+\.\d+\.\d+$/);
});

test('the package ships the deploy guide the README links to', () => {
  expect(repo.files).toContain('docs');
  expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('](docs/deploy.md)');
});

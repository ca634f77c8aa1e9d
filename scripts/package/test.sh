#!/usr/bin/env bash
# npm run test:package: the library as a student's repository uses it, offline (after `npm ci` filled the cache).
#  1. `npm pack`; a fresh consumer installs the tarball with `npm install --offline`, synthesizes a Service and a
#     Database with the packaged `synthesize`, validates with the packaged `validate` (function and bin);
#     one copy of cdk8s in its tree, no @pulumi/* installed, node_modules under 60 MB.
#  2. examples/starter, installed from the same tarball, passes its own tests and its validate.
#  3. README "Add your own service", applied literally to apps/chat.ts in a clean copy: `npm run synth && npm test`.
# Ends with PASS or FAIL (exit 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${SHARED_DIR:-$root/../shared}"
work="$(mktemp -d /tmp/k8s-platform-package-XXXXXX)"
trap 'rm -rf "$work"' EXIT
started=$SECONDS
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $* ($((SECONDS - started)) s)"; }
version() { node -p "require('$root/node_modules/$1/package.json').version"; }

step "npm pack"
(cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball="$(ls "$work"/k8s-platform-*.tgz)"
echo "tarball: $(du -k "$tarball" | cut -f1) kB"

step "consumer: install offline from the tarball"
consumer="$work/consumer"
mkdir -p "$consumer"
cat >"$consumer/package.json" <<JSON
{ "name": "consumer", "version": "1.0.0", "private": true,
  "dependencies": { "k8s-platform": "file:$tarball", "cdk8s": "$(version cdk8s)",
    "cdk8s-plus-27": "$(version cdk8s-plus-27)", "constructs": "$(version constructs)" } }
JSON
cat >"$consumer/cdk8s.yaml" <<'YAML'
language: javascript
app: node main.js
output: charts-out
YAML
cat >"$consumer/main.js" <<'JS'
const { App } = require('cdk8s');
const { Database, PlatformChart, Service, synthesize } = require('k8s-platform');
const app = new App();
const shop = new PlatformChart(app, 'shop');
const db = new Database(shop, 'postgres', { engine: 'postgres', storage: '1Gi' });
const api = new Service(shop, 'api', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 });
api.connectTo(db);
synthesize(app);
JS
node "$root/scripts/package/consumer-lock.js" "$root" "$consumer" || fail "consumer lock"
# --omit=optional: cdk8s-plus-27 lists the `backport` release tool (about 35 MB) as an optional dependency.
(cd "$consumer" && npm install --offline --omit=optional --no-audit --no-fund --loglevel=error >/dev/null) ||
  fail "offline install"

step "consumer: synth, validate"
(cd "$consumer" && npx k8s-platform synth >/dev/null) || fail "k8s-platform synth"
for f in shop.k8s.yaml index.json; do [ -s "$consumer/charts-out/$f" ] || fail "no charts-out/$f"; done
(cd "$consumer" && node -e '
  const { validateDir } = require("k8s-platform/tools");
  const r = validateDir("charts-out");
  if (r.findings.length || r.objects < 10) { console.error(r); process.exit(1); }
  console.log(`validateDir: ${r.objects} objects, no findings`);') || fail "validateDir"
(cd "$consumer" && npx k8s-platform validate --dir charts-out) || fail "k8s-platform validate"
(cd "$consumer" && npx k8s-platform diff >/dev/null) || fail "k8s-platform diff: fresh synth differs"
copies=$(cd "$consumer" && find node_modules -name package.json -path '*/cdk8s/package.json' | wc -l)
[ "$copies" -eq 1 ] || fail "$copies copies of cdk8s in the consumer's tree"
[ ! -e "$consumer/node_modules/@pulumi" ] || fail "@pulumi/* installed: $(ls "$consumer/node_modules/@pulumi")"
size=$(du -sm "$consumer/node_modules" | cut -f1)
echo "consumer node_modules: $size MB (one cdk8s, no @pulumi; --omit=optional)"
[ "$size" -lt 60 ] || fail "consumer installs $size MB (target: under 60)"
(cd "$consumer" && node -e 'require("k8s-platform/cloud")' 2>/dev/null) && fail "k8s-platform/cloud loads without @pulumi/pulumi"

step "examples/starter: offline install from the tarball, its tests"
starter="$work/starter"
cp -r "$root/examples/starter" "$starter"
rm -rf "$starter/node_modules" "$starter/charts-out"
(cd "$starter" && npm pkg set "dependencies.k8s-platform=file:$tarball") || fail "starter package.json"
node "$root/scripts/package/consumer-lock.js" "$root" "$starter" || fail "starter lock"
(cd "$starter" && npm install --offline --no-audit --no-fund --loglevel=error >/dev/null) || fail "starter install"
(cd "$starter" && npm run --silent synth && npm test --silent && npx k8s-platform validate) || fail "starter tests"

step "README: Add your own service, in a clean copy"
copy="$work/repo"
mkdir -p "$copy"
git -C "$root" archive HEAD | tar -x -C "$copy"
ln -s "$shared" "$work/shared"
snippet="$(awk '/^### Add your own service/{on=1} on&&/^```ts$/{code=1;next} code&&/^```$/{exit} code' "$root/README.md")"
[ -n "$snippet" ] || fail "no code block under 'Add your own service' in README.md"
(cd "$copy" && SNIPPET="$snippet" node -e '
  const fs = require("fs"); const file = "apps/chat.ts"; const src = fs.readFileSync(file, "utf8");
  const at = src.indexOf("  new Route(app, \x27web\x27");
  if (at < 0) { console.error("apps/chat.ts: no Route after db and backend"); process.exit(1); }
  fs.writeFileSync(file, src.slice(0, at) + process.env.SNIPPET.replace(/^/gm, "  ") + "\n" + src.slice(at));') ||
  fail "cannot apply the README snippet"
(cd "$copy" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in the copy"
(cd "$copy" && npm run --silent synth && npm test --silent -- --ci) ||
  fail "npm test after adding the README's service"

echo "PASS: package, consumer, starter and README walk-through ($((SECONDS - started)) s)"

#!/usr/bin/env bash
# npm run test:package: the library as a student's repository uses it, offline (after `npm ci` filled the cache).
#  1. `npm pack`; a fresh consumer installs the tarball with `npm install --offline`, synthesizes a Service and a
#     Database with the packaged `synthesize`, validates with the packaged `validate` (function and bin);
#     one copy of cdk8s in its tree, no @pulumi/* installed, node_modules under 60 MB.
#     Plain JavaScript: a misspelt prop and the mistakes of issue 26 item 5 fail with the messages stated.
#  2. examples/starter, copied with the tarball in its own vendor/ (the path its package.json names), installed
#     offline: `npm test` type-checks (a misspelt prop fails tsc, and synth without tsc), `k8s-platform synth`
#     says what it wrote, `npx cdk8s synth` writes the same bytes, every README snippet compiles against the
#     package, the deploy guide ships, and adding `api.connectTo(cache)` reads in `diff` as one inserted rule.
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

step "consumer: plain JavaScript mistakes fail at construction, as stated"
# Copied in: run from scripts/package, `k8s-platform` would resolve to this repository's own dist/.
cp "$root/scripts/package/mistakes.js" "$consumer/" && (cd "$consumer" && node mistakes.js) || fail "mistakes.js"

step "examples/starter: a copy with the tarball in its vendor/, offline install, its tests (tsc, then jest)"
starter="$work/starter"
cp -r "$root/examples/starter" "$starter"
rm -rf "$starter/node_modules" "$starter/charts-out"
dependency="$(node -p "require('$starter/package.json').dependencies['k8s-platform']")"
case "$dependency" in file:vendor/*) ;; *) fail "starter depends on $dependency, not on a tarball inside the project" ;; esac
mkdir -p "$starter/vendor" && cp "$tarball" "$starter/${dependency#file:}"
node "$root/scripts/package/consumer-lock.js" "$root" "$starter" || fail "starter lock"
(cd "$starter" && npm install --offline --no-audit --no-fund --loglevel=error >/dev/null) || fail "starter install"
summary="$(cd "$starter" && npx k8s-platform synth)" || fail "starter synth"
echo "$summary"
grep -Eq '^synth: 1 app \(shop\), [0-9]+ objects, 2 files \(shop\.k8s\.yaml, index\.json\) in charts-out$' <<<"$summary" ||
  fail "k8s-platform synth does not say what it wrote"
grep -q 'tsc --noEmit' <<<"$(cd "$starter" && npm pkg get scripts.test)" || fail "the starter's test does not type-check"
(cd "$starter" && npm test --silent && npx k8s-platform validate) || fail "starter tests"
[ -s "$starter/node_modules/k8s-platform/docs/deploy.md" ] || fail "docs/deploy.md is not in the package"

step "starter: npx cdk8s synth writes the bytes k8s-platform synth wrote, offline, without a stack trace"
(cd "$starter" && CDK8S_CHECK_UPGRADE=false npx cdk8s synth --output "$work/cdk8s-out" >"$work/cdk8s.log" 2>&1) ||
  { cat "$work/cdk8s.log"; fail "npx cdk8s synth"; }
! grep -Eq '^\s+at |Error' "$work/cdk8s.log" || { cat "$work/cdk8s.log"; fail "npx cdk8s synth printed an error"; }
diff -r "$starter/charts-out" "$work/cdk8s-out" || fail "npx cdk8s synth and k8s-platform synth differ"
echo "cdk8s synth: $(ls "$work/cdk8s-out" | wc -l) files, byte for byte the same"

step "starter: every README snippet compiles against the packed package"
node "$root/scripts/package/readme-snippets.js" "$root/README.md" "$starter/readme-snippets" || fail "README snippets"
(cd "$starter" && npx tsc -p readme-snippets) || fail "a README snippet does not compile against the package"

step "starter: a misspelt prop fails the type check, and synth without one"
cp "$starter/src/shop.ts" "$work/shop.ts"
sed -i 's/replicas: { min: 2, max: 4 }/replica: 6/' "$starter/src/shop.ts"
grep -q 'replica: 6' "$starter/src/shop.ts" || fail "cannot misspell replicas in src/shop.ts"
(cd "$starter" && npm test --silent >"$work/typo.log" 2>&1) && fail "npm test passed with replica: 6"
grep -q "'replica' does not exist in type 'ServiceProps'" "$work/typo.log" || { cat "$work/typo.log"; fail "no tsc error"; }
(cd "$starter" && npx k8s-platform synth >"$work/typo.log" 2>&1) && fail "synth passed with replica: 6"
grep -q 'shop/api: replica 6 is not a Service prop; did you mean "replicas"?' "$work/typo.log" ||
  { cat "$work/typo.log"; fail "synth did not name the nearest prop"; }
cp "$work/shop.ts" "$starter/src/shop.ts"

step "starter: adding api.connectTo(cache) reads as one inserted rule in k8s-platform diff"
sed -i "s|  api.connectTo(db|  const cache = new Database(app, 'cache', { engine: 'redis' });\n  api.connectTo(db|" "$starter/src/shop.ts"
(cd "$starter" && npx k8s-platform synth >/dev/null) || fail "synth with a cache"
sed -i 's|  return app;|  api.connectTo(cache);\n  return app;|' "$starter/src/shop.ts"
(cd "$starter" && npx k8s-platform diff >"$work/diff.log") && fail "diff found no change after connectTo(cache)"
grep -c '+ allow api → cache:6379' "$work/diff.log" | grep -qx 2 || { cat "$work/diff.log"; fail "no '+ allow api → cache:6379'"; }
! grep -Eq '^    [~-] spec\.(ingress|egress)' "$work/diff.log" || { cat "$work/diff.log"; fail "a rule reads as changed"; }
grep -E '^[~+-] |allow' "$work/diff.log"

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

#!/usr/bin/env bash
# test/peer/run-express-suite.sh EXPRESS_CHECKOUT [node]: Express's own test suite on node:http,
# then the same suite with every server it makes served by brisk (node-http-on-brisk.ts), and
# the tests that fail only on brisk. EXPRESS_CHECKOUT: a clone of github.com/expressjs/express
# with its dev dependencies installed (npm install). Build brisk first (npm run build).
set -euo pipefail
. "$(dirname "$0")/common.sh"
peer_setup express "$@"
out=$(mktemp -d)
cd "$checkout"
run() { # NAME [NODE_OPTIONS]
  NODE_OPTIONS="${2:-}" BRISK_SHIM_REPORT=1 "$node" node_modules/.bin/mocha --require test/support/env \
    --reporter json --check-leaks --exit test/ test/acceptance/ > "$out/$1.json" 2> "$out/$1.err" || true
}
run node
run brisk "--import=$shim"
"$node" -e '
const fs = require("node:fs");
const [dir] = process.argv.slice(1);
const load = (n) => JSON.parse(fs.readFileSync(`${dir}/${n}.json`, "utf8"));
const a = load("node"), b = load("brisk");
console.log(`node:http: ${a.stats.passes} passing, ${a.stats.failures} failing of ${a.stats.tests}`);
console.log(`brisk:     ${b.stats.passes} passing, ${b.stats.failures} failing of ${b.stats.tests}`);
const failedOnNode = new Set(a.failures.map((t) => t.fullTitle));
for (const t of b.failures) if (!failedOnNode.has(t.fullTitle)) console.log(`  only on brisk: ${t.fullTitle}\n      ${String(t.err.message).split("\n")[0]}`);
' "$out"
grep -h "served by brisk" "$out/brisk.err" || true

#!/usr/bin/env bash
# test/peer/run-koa-suite.sh KOA_CHECKOUT [node]: Koa's own test suite (node --test, one file at
# a time, 60 s each) on node:http, then with every server it makes served by brisk
# (node-http-on-brisk.ts), and the files whose tests fail only on brisk. KOA_CHECKOUT: a clone
# of github.com/koajs/koa with its dev dependencies installed and built (npm install). Build
# brisk first (npm run build).
set -uo pipefail
. "$(dirname "$0")/common.sh"
peer_setup koa "$@"
cd "$checkout"
count() { grep -E "^ℹ $1 " | awk '{print $3}'; }
declare -A total=([node]=0 [brisk]=0 [nodefail]=0 [briskfail]=0)
for file in $(find __tests__ -name '*.test.js' | sort); do
  a=$(timeout 60 "$node" --test --test-timeout=10000 "$file" 2>&1)
  b=$(NODE_OPTIONS="--import=$shim" timeout 60 "$node" --test --test-timeout=10000 "$file" 2>&1)
  total[node]=$(( total[node] + $(count pass <<< "$a") )); total[nodefail]=$(( total[nodefail] + $(count fail <<< "$a") + $(count cancelled <<< "$a") ))
  total[brisk]=$(( total[brisk] + $(count pass <<< "$b") )); total[briskfail]=$(( total[briskfail] + $(count fail <<< "$b") + $(count cancelled <<< "$b") ))
  if [ "$(count fail <<< "$b")$(count cancelled <<< "$b")" != "00" ]; then
    echo "on brisk: $file"
    grep -E '^\s*✖ ' <<< "$b" | grep -v '✖ failing tests' | sort -u | sed 's/^/    /'
  fi
done
echo "node:http: ${total[node]} passing, ${total[nodefail]} failing or cancelled"
echo "brisk:     ${total[brisk]} passing, ${total[briskfail]} failing or cancelled"

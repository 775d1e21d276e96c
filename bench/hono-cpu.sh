#!/bin/bash
# An unchanged Hono app on brisk's CLI against @hono/node-server's serve(), interleaved, reporting
# req/s and requests per CPU-second of the server process (wrk's count / the server's utime+stime
# over the same run), which a loaded machine moves far less than req/s. After `npm run build`:
#   bench/hono-cpu.sh NODE_BINARY ROUNDS [hono hono-brisk hono-html hono-html-brisk]
# (docs/app-router-fetch.md has the figures). Uses ports 5100-5899 on 127.0.0.1.
set -u
N=$1; R=$2; shift 2
[ $# -eq 0 ] && set -- hono hono-brisk hono-html hono-html-brisk
cd "$(dirname "$0")/.."
start() {
  case $1 in
    hono) "$N" dist/bench/servers/hono.js "$2" >/dev/null 2>&1 & ;;
    hono-brisk) "$N" dist/src/cli.js dist/bench/servers/hono-app.js --port "$2" --log silent >/dev/null 2>&1 & ;;
    hono-html) "$N" dist/bench/servers/hono-html.js "$2" >/dev/null 2>&1 & ;;
    hono-html-brisk) "$N" dist/src/cli.js dist/bench/servers/hono-html-app.js --port "$2" --log silent >/dev/null 2>&1 & ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
  echo $!
}
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
for r in $(seq "$R"); do
  for s in "$@"; do
    port=$((5100 + RANDOM % 800)); pid=$(start "$s" "$port"); sleep 1.5
    wrk -t1 -c50 -d2s "http://127.0.0.1:$port/" >/dev/null 2>&1
    c0=$(cpu "$pid")
    out=$(wrk -t1 -c50 -d5s "http://127.0.0.1:$port/")
    c1=$(cpu "$pid")
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    ticks=$((c1 - c0))
    echo "$("$N" --version) round $r $s req/s=$rps requests/cpu-s=$(( reqs * $(getconf CLK_TCK) / (ticks > 0 ? ticks : 1) ))"
    kill "$pid"; wait "$pid" 2>/dev/null
  done
done

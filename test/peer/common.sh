# Sourced by run-*-suite.sh: `peer_setup NAME "$@"` sets root, checkout, node and shim (the
# built node-http-on-brisk.js) from the script's arguments CHECKOUT [node], or exits.
peer_setup() {
  local name=$1
  shift
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  [ -n "${1:-}" ] || { echo "usage: run-$name-suite.sh CHECKOUT [node]" >&2; exit 2; }
  checkout=$(cd "$1" && pwd)
  node=${2:-node}
  shim="$root/dist/test/peer/node-http-on-brisk.js"
  [ -f "$shim" ] || { echo "missing $shim: run npm run build" >&2; exit 2; }
}

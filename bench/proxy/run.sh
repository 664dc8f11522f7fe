#!/usr/bin/env bash
# Cache-hit benchmark of amoe-agent (quick mode) against nginx and Varnish, with the bare-hyper
# ceiling, in one run of the shared harness (../shared/bench/proxy). Installs nginx, Varnish
# and wrk from Debian's packages if missing.
#
#   bench/proxy/run.sh [harness options, e.g. --rounds 5 --duration 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
harness=${BENCH_PROXY_HARNESS:-$root/../shared/bench/proxy}
[ -x "$harness/bench.sh" ] || { echo "error: no harness at $harness" >&2; exit 1; }
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v varnishd >/dev/null || missing+=(varnish)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cargo build --release -q -p amoe-agent
ceiling_target=${CEILING_TARGET:-/tmp/amoe-ceiling-target}
(cd "$harness/ceiling" && CARGO_TARGET_DIR=$ceiling_target cargo build --release -q)
cd "$harness"
exec ./bench.sh \
  --ours "exec $root/target/release/amoe-agent --listen 127.0.0.1:\$PROXY_PORT --origin \$ORIGIN_URL" \
  --ceiling "exec $ceiling_target/release/bench-ceiling 127.0.0.1:\$PROXY_PORT \$ORIGIN_URL" \
  "$@"

#!/usr/bin/env bash
# Benchmark of amoe-agent (quick mode) against nginx and Varnish, with the bare-hyper ceiling,
# in runs of the shared harness (../shared/bench/proxy). Installs nginx, Varnish and wrk from
# Debian's packages if missing.
#
# Two configurations, one harness run each:
#   host   — as a host runs: amoe with the disk tier and access logs (--cache-dir, --log-dir),
#            nginx logging every request to a file (--nginx-access-log);
#   bare   — no access logs anywhere, memory tier only (the ceiling's configuration).
#
#   bench/proxy/run.sh [host|bare|both] [harness options, e.g. --rounds 5 --duration 10 --mode miss]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
which=both
case "${1:-}" in host|bare|both) which=$1; shift ;; esac
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
agent="$root/target/release/amoe-agent --listen 127.0.0.1:\$PROXY_PORT --origin \$ORIGIN_URL"
ceiling="exec $ceiling_target/release/bench-ceiling 127.0.0.1:\$PROXY_PORT \$ORIGIN_URL"
cd "$harness"
if [ "$which" = host ] || [ "$which" = both ]; then
  echo "== configuration: host (disk tier and access logs on; nginx access_log to a file)"
  ./bench.sh \
    --ours "exec $agent --cache-dir \$OURS_WORKDIR/cache --log-dir \$OURS_WORKDIR/logs" \
    --nginx-access-log /tmp/amoe-bench-nginx-access.log \
    --ceiling "$ceiling" "$@"
  rm -f /tmp/amoe-bench-nginx-access.log
fi
if [ "$which" = bare ] || [ "$which" = both ]; then
  echo "== configuration: bare (no access logs, memory tier only)"
  ./bench.sh --ours "exec $agent" --ceiling "$ceiling" "$@"
fi

#!/usr/bin/env bash
# Benchmark: `amoe ticket list` and `amoe ticket stats` on a store of 100,000 tickets and about
# 1,000,000 events (issue target: median under 200 ms each). Builds amoe in release mode, seeds
# a store in a temporary directory (`cargo xtask seed-tickets`), times with hyperfine (installed
# from Debian's packages if missing), as the administrator (every ticket) and as a writer on one
# project (the authorization narrows).
#
#   bench/tickets/run.sh [TICKETS] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
tickets=${1:-100000}
events=${2:-1000000}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release -q -p amoe-cli -p xtask
work=$(mktemp -d /tmp/amoe-bench-tickets.XXXXXX)
trap 'rm -rf "$work"' EXIT
./target/release/xtask seed-tickets "$work/amoe.db" "$tickets" "$events"
admin="$PWD/target/release/amoe --store $work/amoe.db --operator bench"
writer="$PWD/target/release/amoe --store $work/amoe.db --operator writer"
hyperfine --warmup 2 --runs 15 --export-json "$work/result.json" \
  "$admin ticket list > /dev/null" \
  "$admin ticket list --limit 0 --output json > /dev/null" \
  "$writer ticket list --status waiting > /dev/null" \
  "$admin ticket stats --output json > /dev/null" \
  "$writer ticket stats --by day --output json > /dev/null"
python3 - "$work/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cmd = r['command'].split('--operator ')[1]
    print(f"median {r['median']*1000:7.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f})  {cmd}")
PY

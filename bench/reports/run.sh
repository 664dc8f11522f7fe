#!/usr/bin/env bash
# Benchmark: `amoe report canut` on a store of 100,000 orders with 500,000 lines (issue target:
# under 2 s). Builds amoe in release mode, seeds a store in a temporary directory (`cargo xtask
# seed-orders`), times each output format with hyperfine (installed from Debian's packages if
# missing).
#
#   bench/reports/run.sh [ORDERS] [LINES]
set -euo pipefail
cd "$(dirname "$0")/../.."
orders=${1:-100000}
lines=${2:-500000}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release -q -p amoe-cli -p xtask
work=$(mktemp -d /tmp/amoe-bench-reports.XXXXXX)
trap 'rm -rf "$work"' EXIT
./target/release/xtask seed-orders "$work/amoe.db" "$orders" "$lines"
amoe="$PWD/target/release/amoe --store $work/amoe.db --operator bench"
hyperfine --warmup 1 --runs 7 --export-json "$work/result.json" \
  "$amoe report canut --semester 2026-S2 --format json > /dev/null" \
  "$amoe report canut --semester 2026-S2 --format md > /dev/null" \
  "$amoe report canut --semester 2026-S2 --format xlsx --out $work/canut.xlsx" \
  "$amoe report canut --semester 2026-S2 --format ods --out $work/canut.ods"
python3 - "$work/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cmd = r['command'].split('--operator bench ')[1]
    print(f"median {r['median']*1000:7.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f})  {cmd}")
PY

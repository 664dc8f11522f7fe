#!/usr/bin/env bash
# Benchmark: `amoe site list --output json` on a store of 10,000 sites and 1,000 beneficiaries
# (issue target: median under 50 ms). Builds amoe in release mode, seeds a store in a temporary
# directory, and times the command with hyperfine (installed from Debian's packages if missing).
#
#   bench/store/run.sh [SITES] [BENEFICIARIES]
set -euo pipefail
cd "$(dirname "$0")/../.."
sites=${1:-10000}
beneficiaries=${2:-1000}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release -q -p amoe-cli
work=$(mktemp -d /tmp/amoe-bench-store.XXXXXX)
trap 'rm -rf "$work"' EXIT
cargo xtask seed-store "$work/amoe.db" "$sites" "$beneficiaries"
amoe="$PWD/target/release/amoe --store $work/amoe.db"
$amoe site list --output json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(f"{len(d)} sites in the JSON output")'
hyperfine --warmup 3 --runs 30 --export-json "$work/result.json" \
  "$amoe site list --output json > /dev/null" \
  "$amoe site list --output table > /dev/null" \
  "$amoe beneficiary list --output json > /dev/null"
python3 - "$work/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median']*1000:7.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f})  {r['command'].split('--store')[1].split(' ',2)[2]}")
PY

#!/usr/bin/env bash
# Benchmark: the same reads on SQLite and on PostgreSQL over loopback, in one run (issue 21
# targets: `site list --output json` on 10,000 sites under 50 ms, `ticket list` on 100,000
# tickets under 200 ms). Seeds SQLite stores with the xtask seeders, copies each to a database
# of a throwaway cluster with `amoe store copy` (timed too), then times both with hyperfine.
#
#   bench/postgres/run.sh [SITES] [TICKETS] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
sites=${1:-10000}
tickets=${2:-100000}
events=${3:-1000000}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release -q -p amoe-cli -p xtask
work=$(mktemp -d /tmp/amoe-bench-pg.XXXXXX)
chmod 755 "$work"  # the cluster runs as `postgres`, under it
bash scripts/pg-cluster.sh start "$work/pg" > /dev/null
trap 'bash scripts/pg-cluster.sh stop "$work/pg" || true; rm -rf "$work"' EXIT
server=$(cat "$work/pg/url")
database() { # NAME → its URL, created empty
  psql "${server/postgres:\/\//postgresql://}" -qc "CREATE DATABASE $1"
  echo "${server/\/postgres\?//$1?}"
}
amoe="$PWD/target/release/amoe"
./target/release/xtask seed-store "$work/sites.db" "$sites" 1000 > /dev/null
./target/release/xtask seed-tickets "$work/tickets.db" "$tickets" "$events" > /dev/null
sites_pg=$(database sites)
tickets_pg=$(database tickets)
for pair in "sites.db $sites_pg" "tickets.db $tickets_pg"; do
  set -- $pair
  start=$(date +%s%N)
  "$amoe" --store "$work/$1" store copy --to "$2"
  echo "  ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
done
hyperfine --warmup 3 --runs 20 --export-json "$work/result.json" \
  -n "sqlite site list --output json (10k sites)" "$amoe --store $work/sites.db site list --output json > /dev/null" \
  -n "postgres site list --output json (10k sites)" "$amoe --store '$sites_pg' site list --output json > /dev/null" \
  -n "sqlite ticket list (100k tickets)" "$amoe --store $work/tickets.db --operator bench ticket list > /dev/null" \
  -n "postgres ticket list (100k tickets)" "$amoe --store '$tickets_pg' --operator bench ticket list > /dev/null" \
  -n "sqlite ticket list --limit 0 -o json" "$amoe --store $work/tickets.db --operator bench ticket list --limit 0 --output json > /dev/null" \
  -n "postgres ticket list --limit 0 -o json" "$amoe --store '$tickets_pg' --operator bench ticket list --limit 0 --output json > /dev/null" \
  -n "sqlite ticket list as a writer" "$amoe --store $work/tickets.db --operator writer ticket list --status waiting > /dev/null" \
  -n "postgres ticket list as a writer" "$amoe --store '$tickets_pg' --operator writer ticket list --status waiting > /dev/null" \
  > /dev/null
python3 - "$work/result.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median']*1000:7.1f} ms  (min {r['min']*1000:.1f}, max {r['max']*1000:.1f})  {r['command']}")
PY

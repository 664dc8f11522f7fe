#!/usr/bin/env bash
# Benchmark: flush latency to N local agents (default 10), from the command's start to the last
# confirmation, as measured inside `amoe flush --timing` (`total_ms` of its JSON report).
# Builds release binaries, sets up a temporary CA, store and N agents on loopback, runs the
# flush RUNS times (default 200) and prints p50, p90, p99 and max. Issue 4's target: p50 under
# 50 ms, p99 under 150 ms.
#
#   bench/flush/run.sh [AGENTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
agents=${1:-10}
runs=${2:-200}
cargo build --release -q -p amoe-cli -p amoe-agent
bin=$PWD/target/release
work=$(mktemp -d /tmp/amoe-bench-flush.XXXXXX)
. bench/lib/fleet.sh
start_fleet "$agents"
for i in $(seq 1 "$runs"); do
  amoe flush www --url "/page-$i" --timing --output json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert all(h["ok"] for h in r["hosts"]), r; print(r["total_ms"])'
done > "$work/times.txt"
python3 - "$work/times.txt" "$agents" <<'PY'
import sys, statistics
t = sorted(float(x) for x in open(sys.argv[1]))
q = lambda p: t[min(len(t) - 1, int(round(p * (len(t) - 1))))]
print(f"flush to {sys.argv[2]} agents, {len(t)} runs: p50 {q(0.5):.1f} ms  p90 {q(0.9):.1f} ms  p99 {q(0.99):.1f} ms  max {t[-1]:.1f} ms  mean {statistics.mean(t):.1f} ms")
PY

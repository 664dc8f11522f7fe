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
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export HOME=$work AMOE_STORE=$work/amoe.db AMOE_CA_DIR=$work/ca AMOE_OPERATOR=bench
export AMOE_CLIENT_CERT=$work/certs/op.pem AMOE_CLIENT_KEY=$work/certs/op.key
unset AMOE_CONFIG AMOE_OUTPUT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
amoe() { "$bin/amoe" "$@"; }
amoe init >/dev/null
amoe ca init >/dev/null
amoe ca issue op --role operator --out "$work/certs" >/dev/null
amoe beneficiary add --siret 12000101100010 --name Bench --lot 1 >/dev/null
hosts=()
for i in $(seq 0 $((agents - 1))); do
  control=$(free_port); proxy=$(free_port)
  amoe host add "pop$i" --address "127.0.0.1:$control" >/dev/null
  amoe host enroll "pop$i" --out "$work/bundle-$i" >/dev/null
  cat > "$work/agent-$i.toml" <<TOML
state_dir = "$work/state-$i"
[proxy]
listen = ["127.0.0.1:$proxy"]
[control]
listen = "127.0.0.1:$control"
ca = "$work/bundle-$i/ca.pem"
cert = "$work/bundle-$i/server.pem"
key = "$work/bundle-$i/server.key"
crl = "$work/bundle-$i/crl.pem"
[admin]
TOML
  "$bin/amoe-agent" --config "$work/agent-$i.toml" 2>/dev/null &
  pids+=($!)
  hosts+=(--host "pop$i")
  for _ in $(seq 1 500); do (exec 3<>"/dev/tcp/127.0.0.1/$control") 2>/dev/null && break; sleep 0.01; done
done
amoe site add www --domain www.example.test --beneficiary 12000101100010 --origin http://127.0.0.1:9 "${hosts[@]}" >/dev/null
amoe site push www >/dev/null
for i in $(seq 1 "$runs"); do
  amoe flush www --url "/page-$i" --timing --output json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert all(h["ok"] for h in r["hosts"]), r; print(r["total_ms"])'
done > "$work/times.txt"
python3 - "$work/times.txt" "$agents" <<'PY'
import sys, statistics
t = sorted(float(x) for x in open(sys.argv[1]))
q = lambda p: t[min(len(t) - 1, int(round(p * (len(t) - 1))))]
print(f"flush to {sys.argv[2]} agents, {len(t)} runs: p50 {q(0.5):.1f} ms  p90 {q(0.9):.1f} ms  p99 {q(0.99):.1f} ms  max {t[-1]:.1f} ms  mean {statistics.mean(t):.1f} ms")
PY

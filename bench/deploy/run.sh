#!/usr/bin/env bash
# Benchmark: `amoe deploy` of a 100 MB folder of mixed files to three local agents, against
# `rsync -a` of the same folder to three local destinations (in parallel, into empty folders),
# timed side by side with hyperfine (issue 18's target: no slower than rsync). Then the peak
# memory of a 500 MB deploy: the CLI's (GNU time) and each agent's (VmHWM).
#
#   bench/deploy/run.sh [MB] [BIG_MB]
set -euo pipefail
cd "$(dirname "$0")/../.."
mb=${1:-100}
big_mb=${2:-500}
missing=()
command -v rsync >/dev/null || missing+=(rsync)
command -v hyperfine >/dev/null || missing+=(hyperfine)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cargo build --release -q -p amoe-cli -p amoe-agent
bin=$PWD/target/release
work=$(mktemp -d /tmp/amoe-bench-deploy.XXXXXX)
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
for i in 0 1 2; do
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
  "$bin/amoe-agent" --config "$work/agent-$i.toml" 2>"$work/agent-$i.log" &
  pids+=($!)
  hosts+=(--host "pop$i")
  for _ in $(seq 1 500); do (exec 3<>"/dev/tcp/127.0.0.1/$control") 2>/dev/null && break; sleep 0.01; done
done
amoe site add www --domain www.example.test --beneficiary 12000101100010 --origin http://127.0.0.1:9 "${hosts[@]}" >/dev/null || { cat "$work"/agent-*.log; exit 1; }
amoe site push www >/dev/null

# A site of MB megabytes: pages, scripts and styles (text), images and archives (random).
python3 - "$work/site" "$mb" <<'PY'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(1)
words = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ".split()
n = 0
while total > 0:
    d = os.path.join(root, f"section-{n % 40:02d}", f"page-{n % 7}")
    os.makedirs(d, exist_ok=True)
    kind = n % 4
    if kind < 2:
        size = rng.randint(2 << 10, 60 << 10)
        data = b" ".join(rng.choice(words) for _ in range(size // 6))[:size]
        name = f"file-{n}.html" if kind == 0 else f"file-{n}.js"
    else:
        size = rng.randint(20 << 10, 900 << 10)
        data = rng.randbytes(size)
        name = f"file-{n}.jpg" if kind == 2 else f"file-{n}.zip"
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    total -= len(data)
    n += 1
print(f"{n} files", file=sys.stderr)
PY
du -sh "$work/site"
hyperfine --warmup 1 --runs 5 --export-json "$work/result.json" \
  --prepare "rm -rf $work/dst-0 $work/dst-1 $work/dst-2" \
  "for i in 0 1 2; do rsync -a $work/site/ $work/dst-\$i/ & done; wait" \
  "$bin/amoe deploy www $work/site --keep 2 > /dev/null"
python3 - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    name = "rsync to 3 folders" if x["command"].startswith("for") else "amoe deploy to 3 agents"
    print(f"median {x['median']*1000:8.1f} ms  (min {x['min']*1000:.1f}, max {x['max']*1000:.1f})  {name}")
print(f"amoe deploy / rsync: {r[1]['median'] / r[0]['median']:.2f}")
PY

# Peak memory of a BIG_MB deploy (incompressible files).
rm -rf "$work/site" "$work"/dst-*
mkdir -p "$work/big"
for i in $(seq 1 $((big_mb / 50))); do head -c $((50 << 20)) /dev/urandom > "$work/big/blob-$i.bin"; done
/usr/bin/time -v "$bin/amoe" deploy www "$work/big" --keep 1 > /dev/null 2> "$work/time.txt"
cli_kb=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$work/time.txt")
echo "deploy of ${big_mb} MB: CLI peak RSS $((cli_kb / 1024)) MiB"
for p in "${pids[@]}"; do
  echo "agent $p peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MiB"}' /proc/$p/status)"
done

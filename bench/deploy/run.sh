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
. bench/lib/fleet.sh
start_fleet 3

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

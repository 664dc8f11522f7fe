#!/usr/bin/env bash
# Benchmark: `amoe deploy` of a 100 MB folder of mixed files to three local agents, against
# `rsync -a` of the same folder to three local destinations (in parallel, into new folders),
# timed in alternating pairs (issue 18's target: no slower than rsync). Then the peak
# memory of a 500 MB deploy: the CLI's (GNU time) and each agent's (VmHWM).
#
#   [RUNS=7] bench/deploy/run.sh [MB] [BIG_MB]
set -euo pipefail
cd "$(dirname "$0")/../.."
mb=${1:-100}
big_mb=${2:-500}
runs=${RUNS:-7}
missing=()
command -v rsync >/dev/null || missing+=(rsync)
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
# Timed in pairs, one rsync run and one deploy, alternating which goes first, after a warm-up
# pair: a shared disk drifts, and pairs see the same drift. Both run in the steady state of a
# host that deploys again and again: before each run, the copies of two runs ago are removed
# (rsync's here; the agents remove theirs after each switch, `--keep 2`), everything is written
# back (`sync`), and the file system is given 6 s. Without that pause, ext4 without a journal
# scans past every inode freed in the last seconds when it creates one, and the page cache
# grows into memory the virtual machine has not backed yet: either would be measured instead
# of copying.
mkdir -p "$work/dst"
python3 - "$bin/amoe" "$work" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, time
amoe, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def rsync(k):
    subprocess.run(["bash", "-c", f"p=(); for i in 0 1 2; do rsync -a {work}/site/ {work}/dst/{k}-$i/ & p+=($!); done; "
                    "for x in ${p[@]}; do wait $x || exit 1; done"], check=True)
def deploy(k):
    subprocess.run([amoe, "deploy", "www", f"{work}/site", "--keep", "2"], stdout=subprocess.DEVNULL, check=True)
def settle(k):
    for i in range(3):
        shutil.rmtree(f"{work}/dst/{k - 2}-{i}", ignore_errors=True)
    os.sync()
    time.sleep(6)
pairs = []
for k in range(runs + 1):
    order = [rsync, deploy] if k % 2 == 0 else [deploy, rsync]
    took = {}
    for f in order:
        settle(k)
        t = time.perf_counter()
        f(k)
        took[f.__name__] = time.perf_counter() - t
    if k > 0:
        pairs.append((took["rsync"], took["deploy"]))
        print(f"pair {k}: rsync {took['rsync']*1000:7.1f} ms, amoe deploy {took['deploy']*1000:7.1f} ms, ratio {took['deploy']/took['rsync']:.2f}", flush=True)
r = [p[0] for p in pairs]
d = [p[1] for p in pairs]
print(f"median {statistics.median(r)*1000:8.1f} ms  (min {min(r)*1000:.1f}, max {max(r)*1000:.1f})  rsync to 3 folders")
print(f"median {statistics.median(d)*1000:8.1f} ms  (min {min(d)*1000:.1f}, max {max(d)*1000:.1f})  amoe deploy to 3 agents")
print(f"amoe deploy / rsync: {statistics.median(d) / statistics.median(r):.2f} (median of the pairs' ratios: {statistics.median(x / y for y, x in pairs):.2f})")
PY

# Where the time goes: CPU seconds of one more deploy (the CLI, and each agent from
# /proc/PID/stat) and of the three rsync copies, after the same settling. On this machine the
# CLI and the agents share two cores, so the deploy's wall time follows its CPU total.
sync; sleep 6
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=(); for p in "${pids[@]}"; do before+=("$(ticks "$p")"); done
/usr/bin/time -f "cpu: amoe deploy CLI %U s user + %S s sys (%e s wall)" "$bin/amoe" deploy www "$work/site" --keep 2 >/dev/null
i=0; agents=0
for p in "${pids[@]}"; do agents=$((agents + $(ticks "$p") - ${before[$i]})); i=$((i + 1)); done
echo "cpu: the three agents $(awk -v t="$agents" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }') s"
mkdir -p "$work/dst"; sync; sleep 6
/usr/bin/time -f "cpu: rsync x3 %U s user + %S s sys (%e s wall)" bash -c \
  "for i in 0 1 2; do rsync -a $work/site/ $work/dst/cpu-\$i/ & done; wait"

# Peak memory of a BIG_MB deploy (incompressible files).
rm -rf "$work/site" "$work"/dst
mkdir -p "$work/big"
for i in $(seq 1 $((big_mb / 50))); do head -c $((50 << 20)) /dev/urandom > "$work/big/blob-$i.bin"; done
/usr/bin/time -v "$bin/amoe" deploy www "$work/big" --keep 1 > /dev/null 2> "$work/time.txt"
cli_kb=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$work/time.txt")
echo "deploy of ${big_mb} MB: CLI peak RSS $((cli_kb / 1024)) MiB"
for p in "${pids[@]}"; do
  echo "agent $p peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MiB"}' /proc/$p/status)"
done

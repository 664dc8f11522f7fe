#!/usr/bin/env bash
# Benchmark: the extranet's statistics page of a site with 180 days of archived logs, under
# load (issue target: p99 under 100 ms on this 2-core machine).
#
# Builds amoe in release mode; makes a store in a temporary home with one site, a beneficiary's
# account and 180 days of W3C logs in the archive (the shared deterministic generator,
# ../shared/bench/logs/gen_logs.py, one site, LINES in all); starts a real SMTP server
# (aiosmtpd) for the set-password link and `amoe extranet serve`; signs in with curl as the
# account would; reports how long the server took to read the archive ahead (at start, and
# every hour) and times the first view, then runs wrk (bounded:
# DURATION seconds, CONNECTIONS connections, on loopback) on
#   - the default page (last 30 days, by day),
#   - the whole 180 days by day, and by month,
#   - the CSV download of the 180 days,
# and prints p50 / p99 and requests per second for each.
#
#   bench/extranet/run.sh [LINES] [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-1800000}
duration=${2:-15}
conns=${3:-16}
gen=../shared/bench/logs/gen_logs.py
[ -f "$gen" ] || { echo "needs $gen (the shared log generator)" >&2; exit 1; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-aiosmtpd >/dev/null; }
cargo build --release -q -p amoe-cli
amoe_bin="$PWD/target/release/amoe"

work=$(mktemp -d /tmp/amoe-bench-extranet.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
# BENCH_TRACE=1 shows every step.
[ -z "${BENCH_TRACE:-}" ] || set -x
export HOME="$work" AMOE_OPERATOR=bench AMOE_OUTPUT=json
amoe() { "$amoe_bin" --store "$work/amoe.db" "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
smtp_port=$(free_port); web_port=$(free_port)
mkdir -p "$work/.config/amoe" "$work/archive"
cat > "$work/.config/amoe/config.toml" <<TOML
[mail]
server = "127.0.0.1"
port = $smtp_port
security = "none"
sender = "extranet@contractor.example"
[logs]
archive = "$work/archive"
TOML

amoe init >/dev/null
amoe user add admin@ops.example --name Admin --admin --login bench >/dev/null
amoe beneficiary add --siret 13000548100010 --name INSEE --lot 9 >/dev/null
amoe host add pop1 --address 127.0.0.1:7443 >/dev/null
amoe site add www --domain www.example.fr --beneficiary 13000548100010 --origin https://origin.example.fr --host pop1 >/dev/null 2>&1
amoe user add dsi@insee.fr --name DSI >/dev/null
amoe space add insee --member dsi@insee.fr >/dev/null
amoe space link insee 13000548100010 >/dev/null

# 180 Paris days ending yesterday, one site, into the archive as `logs collect` lays it out.
start=$(date -u -d "yesterday - 179 days" +%F)
echo "==> generating $lines W3C lines over 180 days from $start"
python3 "$gen" -n "$lines" -d 180 --start "$start" -f w3c --sites 1 --seed 1 --split "$work/gen" -q
python3 - "$work" <<'PY'
import glob, gzip, hashlib, os, re, shutil, sqlite3, sys
work = sys.argv[1]
db = sqlite3.connect(os.path.join(work, "amoe.db"))
n = 0
for path in sorted(glob.glob(os.path.join(work, "gen", "*.log"))):
    day = re.search(r"(\d{4}-\d{2}-\d{2})\.log$", path).group(1)
    d = os.path.join(work, "archive", "www", day, "pop1")
    os.makedirs(d, exist_ok=True)
    out = os.path.join(d, f"www-{day}.w3c.log.gz")
    with open(path, "rb") as src, gzip.open(out, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst)
    raw = open(out, "rb").read()
    lines = sum(1 for _ in open(path, "rb"))
    db.execute("INSERT INTO log_archive (site, host, day, format, size, sha256, lines, collected_at) VALUES ('www', 'pop1', ?, 'w3c', ?, ?, ?, '2026-01-01T00:00:00.000Z')",
               (day, len(raw), hashlib.sha256(raw).hexdigest(), lines))
    n += 1
db.commit()
print(f"==> archived {n} days")
PY
rm -rf "$work/gen"

/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$work/mail" 2>/dev/null &
pids+=($!)
"$amoe_bin" --store "$work/amoe.db" extranet serve --listen "127.0.0.1:$web_port" 2>"$work/extranet.log" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$web_port/login" && break; sleep 0.1; done
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$web_port"

# The account's password, from the mailed link, then a session, as a browser would.
amoe user password dsi@insee.fr --url "$base" >/dev/null
token=$(python3 -c 'import glob, quopri, re, sys
mail = quopri.decodestring(open(glob.glob(sys.argv[1] + "/new/*")[0], "rb").read()).decode()
print(re.search(r"password\?token=([A-Za-z0-9_-]+)", mail).group(1))' "$work/mail")
jar="$work/jar"
page=$(curl -s -c "$jar" "$base/password?token=$token")
csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | cut -d'"' -f4)
pw="a long password for the benchmark"
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "token=$token" --data-urlencode "password=$pw" --data-urlencode "confirm=$pw" "$base/password"
page=$(curl -s -b "$jar" -c "$jar" "$base/login")
csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | cut -d'"' -f4)
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "email=dsi@insee.fr" --data-urlencode "password=$pw" "$base/login"
session=$(awk '$6 == "__Host-amoe_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }
cookie="Cookie: __Host-amoe_session=$session"

yesterday=$(date -u -d yesterday +%F)
all="from=$start&to=$yesterday"
echo "==> the server reads the archive ahead, at start"
for _ in $(seq 600); do grep -q "statistics of" "$work/extranet.log" && break; sleep 0.1; done
sed -n 's/^extranet: /    /p' "$work/extranet.log" | grep statistics
echo "==> first view of the 180 days"
curl -s -o /dev/null -H "$cookie" -w "    %{http_code} in %{time_total} s\n" "$base/sites/www/stats?$all&by=month"
code=$(curl -s -o /dev/null -H "$cookie" -w "%{http_code}" "$base/sites/www/stats")
[ "$code" = 200 ] || { echo "the statistics page answered $code" >&2; exit 1; }
printf '\n%-44s %10s %10s %10s\n' "page ($conns connections, ${duration} s)" "p50" "p99" "req/s"
for path in "/sites/www/stats" "/sites/www/stats?$all&by=day" "/sites/www/stats?$all&by=month" "/sites/www/stats.csv?$all&by=day"; do
  out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -H "$cookie" "$base$path")
  p50=$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ { print $2 }')
  non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ { print $NF }')
  [ -z "$non2xx" ] || { echo "$path: $non2xx answers were not 200" >&2; exit 1; }
  label=${path/$all/180 days}
  printf '%-44s %10s %10s %10s\n' "$label" "$p50" "$p99" "$rps"
done

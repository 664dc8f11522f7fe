#!/usr/bin/env bash
# New TLS connections per second: amoe-agent (quick mode, --tls-listen) against nginx, the same
# ECDSA P-256 certificate, a small cached answer, every request on a new connection (wrk with
# `Connection: close`: a full handshake each time, TLS 1.3, no session resumption by the
# client). Rounds are interleaved; medians are reported with the ratio to nginx.
#
#   bench/tls/run.sh [ROUNDS] [SECONDS] [CONNECTIONS]      (default 3 10 32)
#
# Both servers run on CPU 0 (one core each, the same for both), wrk on CPU 1. On two cores the
# client saturates its core first (a TLS client does more work per handshake than the server:
# it verifies the ECDSA signature), so connections per second measure the client as much as
# the server; the servers' CPU time is read from /proc for each run, and connections per
# server CPU-second is their capacity. Installs nginx and wrk from the distribution's packages
# if missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3} secs=${2:-10} conns=${3:-32}
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cargo build --release -q -p amoe-agent
work=$(mktemp -d /tmp/amoe-tls-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=bench.example.test -addext subjectAltName=DNS:bench.example.test \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
origin_port=$(free_port) nginx_port=$(free_port) amoe_http=$(free_port) amoe_tls=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$origin_port;
    location / { add_header Cache-Control "max-age=3600"; return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:$nginx_port ssl http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "ok\n"; }
  }
}
CONF
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
pids+=($!)
taskset -c 0 "$root/target/release/amoe-agent" --threads 1 --listen "127.0.0.1:$amoe_http" \
  --tls-listen "127.0.0.1:$amoe_tls" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" \
  --origin "http://127.0.0.1:$origin_port" 2>/dev/null &
pids+=($!)
for p in $nginx_port $amoe_tls; do
  for _ in $(seq 100); do curl -sk "https://127.0.0.1:$p/" >/dev/null 2>&1 && break; sleep 0.05; done
done
# Warm the cache: amoe answers from it, as nginx answers from its config.
curl -sk --resolve "bench.example.test:$amoe_tls:127.0.0.1" "https://bench.example.test:$amoe_tls/" >/dev/null

# CPU time (clock ticks) used so far by a process and its children's threads.
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
hz=$(getconf CLK_TCK)
run() { # port pids... -> "connections/s connections-per-server-CPU-second"
  local port=$1; shift
  local before out after
  before=$(ticks "$@")
  out=$(taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" -H 'Connection: close' "https://127.0.0.1:$port/" 2>/dev/null)
  after=$(ticks "$@")
  local rate total
  rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v r="$rate" -v n="$total" -v t=$((after - before)) -v hz="$hz" 'BEGIN {printf "%s %.0f\n", r, (t > 0) ? n / (t / hz) : 0}'
}
nginx_pids=$(pgrep -d' ' -P "${pids[0]}" || true)
nginx_pids="${pids[0]} $nginx_pids"
declare -a ng am nge ame
for r in $(seq "$rounds"); do
  read -r rate eff <<<"$(run "$nginx_port" $nginx_pids)"; ng+=("$rate"); nge+=("$eff")
  read -r rate eff <<<"$(run "$amoe_tls" "${pids[1]}")"; am+=("$rate"); ame+=("$eff")
  echo "round $r: nginx ${ng[-1]} conn/s (${nge[-1]} per CPU-s), amoe ${am[-1]} conn/s (${ame[-1]} per CPU-s)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
n=$(median "${ng[@]}") a=$(median "${am[@]}") ne=$(median "${nge[@]}") ae=$(median "${ame[@]}")
echo "new TLS connections (median of $rounds × ${secs}s, $conns connections, ECDSA P-256, one core each):"
echo "  per second:            nginx $n   amoe $a   ratio $(awk -v a="$a" -v n="$n" 'BEGIN {printf "%.2f", a/n}')"
echo "  per server CPU-second: nginx $ne   amoe $ae   ratio $(awk -v a="$ae" -v n="$ne" 'BEGIN {printf "%.2f", a/n}')"
echo "  (wrk saturates its own core before either server does: the second line is the servers' capacity)"

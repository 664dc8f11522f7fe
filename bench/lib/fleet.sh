# Sourced by the fleet benchmarks (flush, deploy): a temporary CA, store and N agents on
# loopback serving site `www`, stopped and removed on exit. Needs `$bin` (release binaries)
# and `$work` (a fresh temporary folder); sets `pids` and `hosts`.
#
#   start_fleet N
pids=()
hosts=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export HOME=$work AMOE_STORE=$work/amoe.db AMOE_CA_DIR=$work/ca AMOE_OPERATOR=bench
export AMOE_CLIENT_CERT=$work/certs/op.pem AMOE_CLIENT_KEY=$work/certs/op.key
unset AMOE_CONFIG AMOE_OUTPUT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
amoe() { "$bin/amoe" "$@"; }

start_fleet() {
  local n=$1 i control proxy
  amoe init >/dev/null
  amoe ca init >/dev/null
  amoe ca issue op --role operator --out "$work/certs" >/dev/null
  amoe beneficiary add --siret 12000101100010 --name Bench --lot 1 >/dev/null
  for i in $(seq 0 $((n - 1))); do
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
  amoe site add www --domain www.example.test --beneficiary 12000101100010 --origin http://127.0.0.1:9 "${hosts[@]}" >/dev/null \
    || { cat "$work"/agent-*.log; exit 1; }
  amoe site push www >/dev/null
}

#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on a free loopback port.
#
#   scripts/pg-cluster.sh start DIR   initdb in DIR, start it, write DIR/url (the store URL of
#                                     its `postgres` database), DIR/pgpass (0600) and
#                                     DIR/ca.pem (the CA of its TLS certificate, issued for
#                                     `localhost` only: TLS tests connect by that name)
#   scripts/pg-cluster.sh stop DIR    stop it (DIR stays, for its log)
#
# The superuser `amoe` signs in with a random password (scram-sha-256) read from DIR/pgpass,
# as a team's hosts would from theirs. fsync is off and the WAL small: the cluster lives as
# long as the tests, which drop their databases as they end.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "error: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    ( umask 077; printf '%s\n' "$pw" > "$dir/pw" )
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pw"
    as_pg "$bin/initdb" -D "$dir/data" -U amoe --pwfile="$dir/pw" --auth-host=scram-sha-256 \
        --auth-local=peer -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log"
    rm -f "$dir/pw"
    # TLS besides plain connections: a CA of its own and a certificate for `localhost`.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=amoe test CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2> /dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
        -keyout "$dir/data/server.key" -out "$dir/server.csr" 2> /dev/null
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' > "$dir/ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/ext" -out "$dir/data/server.crt" 2> /dev/null
    rm -f "$dir/ca.key" "$dir/server.csr" "$dir/ext"
    chmod 600 "$dir/data/server.key"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/data/server.key" "$dir/data/server.crt"
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=96MB -c min_wal_size=32MB -c max_connections=300 -c ssl=on" \
        start > /dev/null
    ( umask 077; printf '*:%s:*:amoe:%s\n' "$port" "$pw" > "$dir/pgpass" )
    echo "postgres://amoe@127.0.0.1:$port/postgres?sslmode=disable&passfile=$dir/pgpass" > "$dir/url"
    cat "$dir/url"
    ;;
stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

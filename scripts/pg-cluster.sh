#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on a free loopback port.
#
#   scripts/pg-cluster.sh start DIR   initdb in DIR, start it, write DIR/url (the store URL of
#                                     its `postgres` database) and DIR/pgpass (0600)
#   scripts/pg-cluster.sh stop DIR    stop it (DIR stays, for its log)
#
# The superuser `amoe` signs in with a random password (scram-sha-256) read from DIR/pgpass,
# as a team's hosts would from theirs. fsync is off: the cluster lives as long as the tests.
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
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=300" \
        start > /dev/null
    ( umask 077; printf '127.0.0.1:%s:*:amoe:%s\n' "$port" "$pw" > "$dir/pgpass" )
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

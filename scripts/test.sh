#!/usr/bin/env bash
# The whole test suite, on a fresh machine of the project's kind: installs what the tests need,
# then runs formatting, lints, every test and the generated-files check. `.ci/run` calls this.
#
#   bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chattr >/dev/null || need_apt+=(e2fsprogs)        # read-only store test (chattr +i)
command -v cc >/dev/null || need_apt+=(gcc)                   # bundled SQLite
command -v curl >/dev/null || need_apt+=(curl)                # HTTPS and HTTP/2 checks of the agents
command -v pebble >/dev/null || need_apt+=(pebble)            # ACME test server (and pebble-challtestsrv, its DNS)
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)           # SFTP for log collection and delivery
command -v ssh-keygen >/dev/null || need_apt+=(openssh-client)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need_apt+=(python3-aiosmtpd)  # SMTP for notices
command -v gzip >/dev/null || need_apt+=(gzip)
command -v zstd >/dev/null || need_apt+=(zstd)                # .tar.zst bundles for `amoe deploy`
dpkg -s libssl-dev >/dev/null 2>&1 || need_apt+=(libssl-dev)   # libssh2 (ssh2) links OpenSSL
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v libreoffice >/dev/null || need_apt+=(libreoffice-calc-nogui)  # opens the exported xlsx and ods
[ -x /usr/bin/chromium ] || need_apt+=(chromium)             # the extranet in a real browser (WebDriver)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)  # the shared store's backend
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# axe-core, injected into the extranet's pages by the browser test (RGAA checks).
AXE_VERSION=4.14.1
if ! grep -qs "\"version\": \"$AXE_VERSION\"" target/npm/node_modules/axe-core/package.json; then
  echo "==> npm install axe-core@$AXE_VERSION (under target/npm)"
  mkdir -p target/npm
  npm install --prefix target/npm --no-save --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION" >/dev/null
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -q -- -D warnings
# A throwaway PostgreSQL cluster (initdb in a temporary directory, a free loopback port),
# stopped at the end: the store's tests and the PostgreSQL CLI tests run on it as on SQLite.
pg_dir=$(mktemp -d /tmp/amoe-pg.XXXXXX)
echo "==> PostgreSQL cluster in $pg_dir"
AMOE_TEST_PG=$(bash scripts/pg-cluster.sh start "$pg_dir")
export AMOE_TEST_PG
trap 'bash scripts/pg-cluster.sh stop "$pg_dir" || true; rm -rf "$pg_dir"' EXIT
echo "==> cargo test"
cargo test --workspace --locked
echo "==> the CLI tests again, each on a new PostgreSQL database (tests/cli/support.rs)"
AMOE_TEST_BACKEND=postgres cargo test -p amoe-cli --test cli --locked
echo "==> generated files (man/, completions/, schemas/)"
cargo xtask check
echo "==> amoe demo"
out=$(cargo build -q --locked --bins && ./target/debug/amoe demo 2>&1) || { printf "%s\n" "$out"; exit 1; }
echo "all checks passed"

#!/usr/bin/env bash
# Start Debian's PostgreSQL on loopback (as root) and print a database URL for the tests.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "start-postgres: needs root" >&2; exit 1; }
command -v pg_lsclusters >/dev/null 2>&1 || { echo "start-postgres: postgresql is not installed" >&2; exit 1; }
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -q -c \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='kb') THEN CREATE ROLE kb LOGIN PASSWORD 'kb' CREATEDB; END IF; END\\\$\\\$;\"" >/dev/null
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='kb_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O kb kb_test"
echo "postgresql+psycopg://kb:kb@127.0.0.1/kb_test"

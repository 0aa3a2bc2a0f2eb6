#!/usr/bin/env bash
# Run the whole test suite in .venv: on SQLite, then on PostgreSQL when a server can be started
# here (always in CI, where Debian's postgresql is installed by setup.sh --system).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests --system
.venv/bin/python -m pytest -q "$@"
if [ -z "${KB_TEST_DATABASE_URL:-}" ] && url=$(bash scripts/start-postgres.sh); then
  echo "== PostgreSQL run ($url)"
  KB_TEST_DATABASE_URL="$url" .venv/bin/python -m pytest -q -m "not browser" "$@"
fi

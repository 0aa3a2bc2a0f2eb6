#!/usr/bin/env bash
# Run the product: install (into .venv), create the database, load the sample library on first
# start, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m flask --app webapp serve "$@"

#!/usr/bin/env bash
# Run the product: install, create the database, load the sample library on first start, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec python3 -m flask --app webapp serve "$@"

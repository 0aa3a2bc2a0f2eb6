#!/usr/bin/env bash
# Install what a fresh machine lacks. The runtime Python packages always (requirements.txt), into
# the virtual environment .venv (created with Python 3.11 when it is missing); with --tests the
# test command's packages too (requirements-test.txt: pytest, playwright, hypothesis, schemathesis…);
# with --system (and root), Debian's chromium (browser tests), postgresql (the PostgreSQL test run),
# a Chinese font and espeak-ng (the voice menu's offline synthesised preview, Mandarin voice cmn).
set -euo pipefail
cd "$(dirname "$0")/.."
tests=0 system=0
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1 ;;
    --system) system=1 ;;
  esac
done
if [ ! -x .venv/bin/python ]; then
  python=$(command -v python3.11 || command -v python3)
  "$python" -m venv .venv
fi
requirements=requirements.txt
[ "$tests" = 1 ] && requirements=requirements-test.txt
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
# The project itself, editable (pyproject.toml): bench/ scripts import kb, indexer and webapp from here.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
if [ "$system" = 1 ] && [ "$(id -u)" = 0 ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
  # A Chinese font, so that screenshots taken by the browser tests show the text.
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
  # The 语音服务's synthesised preview (offline, Mandarin voice cmn).
  command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

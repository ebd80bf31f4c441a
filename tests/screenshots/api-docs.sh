#!/usr/bin/env bash
# Screenshot of the interactive API docs (GET /api/docs) in headless Chromium, to look at by eye.
# Not part of the test suite (neither dotnet test nor .ci/run calls it).
#
#   tests/screenshots/api-docs.sh [out.png]      # default /tmp/api-docs.png
#
# Uses the local host on http://127.0.0.1:7071 when something answers there; otherwise starts it with the
# README's command (which starts Azurite itself), waits for /api/health, and stops it again at the end.
# Needs Debian's chromium (apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-/tmp/api-docs.png}
base=http://127.0.0.1:7071
profile=$(mktemp -d)
source tests/screenshots/local-host.sh

cleanup() {
  stop_host
  rm -rf "$profile"
}
trap cleanup EXIT

command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install -y chromium)" >&2; exit 2; }

if curl -s -o /dev/null --max-time 2 "$base/api/health"; then
  echo "using the host already answering on $base"
else
  start_host "$base"
fi
wait_for_health "$base"

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1280,1600 \
  --virtual-time-budget=5000 --screenshot="$out" "$base/api/docs" 2>/dev/null
test -s "$out"
echo "screenshot: $out"

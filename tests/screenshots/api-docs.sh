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
host_pid=""
host_log=$(mktemp)
profile=$(mktemp -d)

cleanup() {
  if [ -n "$host_pid" ]; then
    # The host runs in its own process group: dotnet run, the app and the Azurite it started.
    kill -TERM -- "-$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  rm -rf "$profile"
}
trap cleanup EXIT

command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install -y chromium)" >&2; exit 2; }

if curl -s -o /dev/null --max-time 2 "$base/api/health"; then
  echo "using the host already answering on $base"
else
  echo "starting the local host (log: $host_log)"
  setsid dotnet run --project functions/ClinicBackend.LocalHost >"$host_log" 2>&1 &
  host_pid=$!
fi

# A cold first start restores, builds and installs Azurite: allow a few minutes.
for _ in $(seq 1 300); do
  if curl -fs -o /dev/null --max-time 2 "$base/api/health"; then
    break
  fi
  if [ -n "$host_pid" ] && ! kill -0 "$host_pid" 2>/dev/null; then
    echo "the local host stopped before it answered:" >&2
    tail -40 "$host_log" >&2
    exit 1
  fi
  sleep 1
done
curl -fs -o /dev/null --max-time 2 "$base/api/health" || { echo "$base/api/health does not answer 200" >&2; exit 1; }

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1280,1600 \
  --virtual-time-budget=5000 --screenshot="$out" "$base/api/docs" 2>/dev/null
test -s "$out"
rm -f "$host_log"
echo "screenshot: $out"

#!/usr/bin/env bash
# Screenshot of a filled REMS Patient Monitoring Form (GET .../monitoring-form with Accept: text/html) in headless
# Chromium, and a check that it prints on one page. Not part of the test suite (neither dotnet test nor .ci/run calls it).
#
#   tests/screenshots/monitoring-form.sh [out.png]      # default /tmp/monitoring-form.png
#
# Monitoring lasts two hours, so the session is played on the clock of a local host of its own (port 7079, timers off,
# an Azurite of its own on ports 10090-10092 with its data in a temporary folder): a first host at the real time creates
# a clinic and books tomorrow 10:00 (New York); a second one, its clock shifted with Dev__ClockOffset to that day 12:10,
# checks the patient in and records the dose (10:02), two observations and the discharge. The page is saved by the
# driver (it needs a token) and opened from the file: it loads nothing from elsewhere.
# Needs Debian's chromium (apt-get install -y chromium) and Node.js.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-/tmp/monitoring-form.png}
base=http://127.0.0.1:7079
work=$(mktemp -d)
azurite_pid=""
source tests/screenshots/local-host.sh

cleanup() {
  stop_host
  stop_group "$azurite_pid"
  rm -rf "$work"
}
trap cleanup EXIT

check_prerequisites "$base"
start_azurite "$work" 10090
driver() { node tests/screenshots/monitoring-form.mjs "$@"; }
value() { sed -n "s/^$1=//p" "$2"; }

admin=shot-admin
platform_token=$(mint shot-platform Platform.Admin)
admin_token=$(mint "$admin" Clinic.Admin)

start_host "$base" LocalHost__RunTimers=false ClinicStorage__ConnectionString="$storage"
wait_for_health "$base"
driver setup "$base" "$platform_token" "$admin" >"$work/clinic"
clinic=$(value CLINIC "$work/clinic")
driver book "$base" "$admin_token" "$clinic" >"$work/session"
stop_host

# The second host's clock: the session's day, 12:10 in New York (its start plus 2 h 10 min).
start_utc=$(value START_UTC "$work/session")
shift_seconds=$(( $(date -u -d "$start_utc" +%s) + 130 * 60 - $(date -u +%s) ))
offset=$(printf '%d.%02d:%02d:%02d' $((shift_seconds / 86400)) $((shift_seconds % 86400 / 3600)) $((shift_seconds % 3600 / 60)) $((shift_seconds % 60)))
start_host "$base" LocalHost__RunTimers=false ClinicStorage__ConnectionString="$storage" Dev__ClockOffset="$offset"
wait_for_health "$base"
driver treat "$base" "$admin_token" "$clinic" "$(value SESSION "$work/session")" "$(value DAY "$work/session")" "$work/form.html" >/dev/null
stop_host

browse() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" "$@" 2>/dev/null
}
browse --window-size=1000,1100 --virtual-time-budget=3000 --screenshot="$out" "file://$work/form.html"
browse --no-pdf-header-footer --print-to-pdf="$work/form.pdf" "file://$work/form.html"
test -s "$out"
pages=$(grep -ao '/Count [0-9]*' "$work/form.pdf" | head -1 | cut -d' ' -f2)
echo "screenshot: $out (printed: $pages page(s))"
[ "$pages" = 1 ] || { echo "the printed form takes $pages pages, not one" >&2; exit 1; }

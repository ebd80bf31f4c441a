#!/usr/bin/env bash
# Screenshot of the PHQ-9 page a one-time link opens (GET /api/a/{code}) in headless Chromium at 360x740, and a check that
# its form submits without JavaScript (the page has no script, and its Content-Security-Policy would run none).
# Not part of the test suite (neither dotnet test nor .ci/run calls it).
#
#   tests/screenshots/assessment-page.sh [out.png]      # default /tmp/assessment-page.png
#
# A local host of its own (port 7077, timers off, an Azurite of its own on ports 10093-10095 with its data in a temporary
# folder, its clock shifted to tomorrow 12:00 in New York so no quiet hours apply) sends through a Twilio stand-in on
# port 7078 (Twilio__ApiBaseUrl, Development only) that records the texts: a clinic with PHQ-9 links on books a visit
# the next day at 10:00, DispatchSms sends the link, and the link from the recorded text is opened. The submission is made
# by the driver over HTTP exactly as a browser without script sends a form (the checked radio of each group, urlencoded,
# to the form's action); Chromium itself only renders the page (headless Chromium takes no screenshot with
# --blink-settings=scriptEnabled=false, so script is not switched off there: the page has none to run).
# Needs Debian's chromium (apt-get install -y chromium) and Node.js.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-/tmp/assessment-page.png}
base=http://127.0.0.1:7077
work=$(mktemp -d)
azurite_pid=""
twilio_pid=""
source tests/screenshots/local-host.sh

cleanup() {
  stop_host
  stop_group "$azurite_pid"
  stop_group "$twilio_pid"
  rm -rf "$work"
}
trap cleanup EXIT

check_prerequisites "$base"
start_azurite "$work" 10093
setsid node tests/screenshots/assessment-page.mjs twilio 7078 "$work/texts.jsonl" >"$work/twilio.log" 2>&1 &
twilio_pid=$!
driver() { node tests/screenshots/assessment-page.mjs "$@"; }

# The host's clock: tomorrow 12:00 in New York (outside quiet hours); the visit is the day after, 10:00.
tomorrow=$(TZ=America/New_York date -d tomorrow +%F)
noon_utc=$(TZ=America/New_York date -d "$tomorrow 12:00" +%s)
shift_seconds=$(( noon_utc - $(date -u +%s) ))
offset=$(printf '%d.%02d:%02d:%02d' $((shift_seconds / 86400)) $((shift_seconds % 86400 / 3600)) $((shift_seconds % 3600 / 60)) $((shift_seconds % 60)))
visit_day=$(TZ=America/New_York date -d "$tomorrow + 1 day" +%F)

admin=shot-admin
platform_token=$(mint shot-platform Platform.Admin)
admin_token=$(mint "$admin" Clinic.Admin)
start_host "$base" LocalHost__RunTimers=false ClinicStorage__ConnectionString="$storage" Dev__ClockOffset="$offset" \
  Twilio__AccountSid=AC00000000000000000000000000000000 Twilio__AuthToken=screenshot-token \
  Twilio__ApiBaseUrl=http://127.0.0.1:7078 Twilio__PublicBaseUrl="$base"
wait_for_health "$base"
clinic=$(driver setup "$base" "$platform_token" "$admin" | sed -n 's/^CLINIC=//p')
driver book "$base" "$admin_token" "$clinic" "$visit_day" >/dev/null
curl -fs -X POST -o /dev/null "$base/admin/functions/DispatchSms"
link=$(driver link "$work/texts.jsonl")

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/profile" \
  --window-size=360,740 --virtual-time-budget=3000 --screenshot="$out" "$link" 2>/dev/null
test -s "$out"
echo "screenshot: $out (360x740)"
driver answer "$link"

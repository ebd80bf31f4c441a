# Sourced by the screenshot scripts: run the local host in its own process group (dotnet run, the app and the Azurite
# it starts), wait until /api/health answers, and stop the whole group again.

host_pid=""
host_log=""

# start_host URL [NAME=value ...]: starts the local host on URL with those environment settings.
start_host() {
  local url=$1
  shift
  host_log=$(mktemp)
  echo "starting the local host on $url (log: $host_log)"
  env "$@" setsid dotnet run --project functions/ClinicBackend.LocalHost -- --urls "$url" >"$host_log" 2>&1 &
  host_pid=$!
}

# wait_for_health BASE: waits until BASE/api/health answers 200 (a cold first start restores, builds and installs
# Azurite: allow a few minutes); fails when the host stopped meanwhile.
wait_for_health() {
  local base=$1
  for _ in $(seq 1 300); do
    if curl -fs -o /dev/null --max-time 2 "$base/api/health"; then
      return 0
    fi
    if [ -n "$host_pid" ] && ! kill -0 "$host_pid" 2>/dev/null; then
      echo "the local host stopped before it answered:" >&2
      tail -40 "$host_log" >&2
      return 1
    fi
    sleep 1
  done
  echo "$base/api/health does not answer 200" >&2
  return 1
}

# stop_host: stops the host this script started, if any.
stop_host() {
  if [ -n "$host_pid" ]; then
    kill -TERM -- "-$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
    host_pid=""
  fi
  if [ -n "$host_log" ]; then
    rm -f "$host_log"
    host_log=""
  fi
}

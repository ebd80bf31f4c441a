# Sourced by the screenshot scripts: the checks before they start, their own Azurite, bearer tokens, and the local host in
# its own process group (dotnet run, the app and the Azurite it starts), waited for until /api/health answers and
# stopped with its whole group.

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
  stop_group "$host_pid"
  host_pid=""
  if [ -n "$host_log" ]; then
    rm -f "$host_log"
    host_log=""
  fi
}

# stop_group PID: stops a process group started with setsid (nothing when PID is empty).
stop_group() {
  if [ -n "$1" ]; then
    kill -TERM -- "-$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

# check_prerequisites BASE: chromium is installed and nothing answers on BASE yet (the script's host has its own clock).
check_prerequisites() {
  command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install -y chromium)" >&2; exit 2; }
  if curl -s -o /dev/null --max-time 2 "$1/api/health"; then
    echo "something already answers on $1: stop it first (this script needs a host with its own clock)" >&2
    exit 2
  fi
}

# start_azurite DIR PORT: builds the local host, installs Azurite when missing and starts it with its data in DIR, blob on
# PORT, queue and table on the next two; sets azurite_pid and storage (the connection string the host is given).
start_azurite() {
  local dir=$1 port=$2
  dotnet build functions/ClinicBackend.LocalHost -v q -nologo >/dev/null
  [ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --silent
  setsid node_modules/.bin/azurite --blobPort "$port" --queuePort $((port + 1)) --tablePort $((port + 2)) --skipApiVersionCheck \
    --disableTelemetry --silent --loose --location "$dir/azurite" >"$dir/azurite.log" 2>&1 &
  azurite_pid=$!
  local key=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
  storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$((port + 1))/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((port + 2))/devstoreaccount1;"
}

# mint OID ROLES: a local bearer token.
mint() { dotnet run --no-build --project functions/ClinicBackend.LocalHost -- mint-token --oid "$1" --roles "$2"; }

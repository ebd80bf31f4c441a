#!/usr/bin/env bash
# Runs one benchmark alternately on an earlier commit and on this work tree, round after round, so both see the
# same machine at the same time (this machine's speed drifts by a third within an hour). Prints the result lines
# of inbound, booking and planning; other benchmarks' output is printed whole.
#   tests/ClinicBackend.Benchmarks/compare.sh inbound 2a5812a 4
set -euo pipefail
usage="usage: compare.sh <benchmark> <commit> [rounds] [benchmark options...]"
which=${1:?$usage}
base=${2:?$usage}
rounds=${3:-4}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$usage (rounds: a positive number, not '$rounds')" >&2; exit 2; }
shift $(( $# < 3 ? $# : 3 ))
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
[ -d "$root/node_modules" ] || (cd "$root" && npm ci --no-audit --no-fund >/dev/null)
tree=$(mktemp -d /tmp/clinic-baseline-XXXXXX)
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"; git -C "$root" worktree prune' EXIT
git -C "$root" worktree add --quiet --detach "$tree" "$base"
ln -s "$root/node_modules" "$tree/node_modules"
# Both trees run the same emulator: this tree's Azurite launcher, with its RowKey-index point reads (docs/benchmarks.md).
# The launcher stops Azurite when its stdin closes, which AzuriteProcess holds open only since dad2fa3.
git -C "$root" merge-base --is-ancestor dad2fa3 "$base" \
  || { echo "compare.sh: $base is older than dad2fa3, whose Azurite launcher this tree's cannot stand in for" >&2; exit 2; }
cp "$root/functions/ClinicBackend.LocalHost/azurite-watchdog.mjs" "$root/functions/ClinicBackend.LocalHost/azurite-point-reads.cjs" \
  "$tree/functions/ClinicBackend.LocalHost/"
for dir in "$tree" "$root"; do
  dotnet build "$dir/tests/ClinicBackend.Benchmarks" -c Release -nologo -v q >/dev/null
done
label() { if [ "$1" = "$tree" ]; then git -C "$root" rev-parse --short "$base"; else echo "this tree"; fi; }
results='clients +[0-9]+ +ops|runs at|planned in|^ceiling'
for round in $(seq "$rounds"); do
  for dir in "$tree" "$root"; do
    output=$(cd "$dir" && dotnet run --no-build -c Release --project tests/ClinicBackend.Benchmarks -- "$which" "$@" 2>&1) \
      || { echo "round $round, $(label "$dir"): the benchmark failed:" >&2; echo "$output" >&2; exit 1; }
    if grep -qE "$results" <<<"$output"; then
      grep -E "$results" <<<"$output" | sed "s|^|round $round, $(label "$dir"): |"
    else
      sed "s|^|round $round, $(label "$dir"): |" <<<"$output"
    fi
  done
done

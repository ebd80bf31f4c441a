#!/usr/bin/env bash
# Runs one benchmark alternately on an earlier commit and on this work tree, round after round, so both see the
# same machine at the same time (this machine's speed drifts by a third within an hour).
#   tests/ClinicBackend.Benchmarks/compare.sh inbound 2a5812a 4
set -euo pipefail
which=${1:?"usage: compare.sh <benchmark> <commit> [rounds] [benchmark options...]"}
base=${2:?"usage: compare.sh <benchmark> <commit> [rounds] [benchmark options...]"}
rounds=${3:-4}
shift $(( $# < 3 ? $# : 3 ))
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
[ -d "$root/node_modules" ] || (cd "$root" && npm ci --no-audit --no-fund >/dev/null)
tree=$(mktemp -d /tmp/clinic-baseline-XXXXXX)
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"' EXIT
git -C "$root" worktree add --detach "$tree" "$base" >/dev/null 2>&1
ln -s "$root/node_modules" "$tree/node_modules"
for dir in "$tree" "$root"; do
  dotnet build "$dir/tests/ClinicBackend.Benchmarks" -c Release -nologo -v q >/dev/null
done
label() { if [ "$1" = "$tree" ]; then git -C "$root" rev-parse --short "$base"; else echo "this tree"; fi; }
for round in $(seq "$rounds"); do
  for dir in "$tree" "$root"; do
    (cd "$dir" && dotnet run --no-build -c Release --project tests/ClinicBackend.Benchmarks -- "$which" "$@") \
      | grep -E "clients +[0-9]+ +ops|runs at|planned in|^ceiling" | sed "s|^|round $round, $(label "$dir"): |"
  done
done

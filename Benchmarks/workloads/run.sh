#!/usr/bin/env bash
# Every `conform bench` workload, in process and against `conform serve`, one after the other in
# one run, so that the two are compared on the same machine at the same load.
#
#   Benchmarks/workloads/run.sh [PATH/TO/conform]
#
# Environment: DURATION (seconds, 10), CONCURRENCY (4), SEED (1), WORKLOADS (all but replay),
# DURABILITY (every-batch, for both). Builds nothing: pass a release binary
# (swift build -c release --product conform). Prints one line per run (workload, target, calls/s,
# p50/p99 µs, errors, load) and keeps the JSON reports in OUT (default: a temporary directory).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-$repo/.build/release/conform}"
duration="${DURATION:-10}"
concurrency="${CONCURRENCY:-4}"
seed="${SEED:-1}"
durability="${DURABILITY:-every-batch}"
workloads="${WORKLOADS:-queries mixed evaluations deploy organization}"
out="${OUT:-$(mktemp -d)}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cd "$repo"  # the corpus is found at ../shared/corpus/templates

summary() {  # $1 = JSON report, $2 = label
    python3 - "$1" "$2" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
total = report["total"]
print(f'{sys.argv[2]:<28} {total["callsPerSecond"]:>9.0f} calls/s  p50 {total["p50Microseconds"]:>7} µs  '
      f'p99 {total["p99Microseconds"]:>7} µs  errors {sum(total["errors"].values())}  load {report["machine"]["loadAtStart"]}')
PY
}

for workload in $workloads; do
    "$bin" bench "$workload" --seed "$seed" --duration "$duration" --concurrency "$concurrency" \
        --durability "$durability" --format json > "$out/$workload-in-process.json"
    summary "$out/$workload-in-process.json" "$workload in-process"

    rm -rf "$work/data"
    "$bin" serve --port 0 --data-dir "$work/data" --durability "$durability" > "$work/ready" 2> "$work/server.log" &
    server_pid=$!
    for _ in $(seq 1 1200); do  # a fresh log syncs its directory: slow while the disk writes back much
        grep -q '^listening on ' "$work/ready" 2>/dev/null && break
        sleep 0.1
    done
    url="$(sed -n 's/^listening on \(http:\/\/.*\)$/\1/p' "$work/ready")"
    [ -n "$url" ] || { echo "conform serve did not start" >&2; cat "$work/ready" "$work/server.log" >&2; ps aux | grep "[c]onform" >&2; exit 1; }
    "$bin" bench "$workload" --endpoint-url "$url" --seed "$seed" --duration "$duration" \
        --concurrency "$concurrency" --format json > "$out/$workload-server.json"
    summary "$out/$workload-server.json" "$workload server"
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
done
echo "reports: $out"

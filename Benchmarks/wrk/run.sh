#!/usr/bin/env bash
# Loopback HTTP benchmarks of `conform serve` with wrk, beside two HTTP floors and (optionally) moto.
#
#   Benchmarks/wrk/run.sh [PATH/TO/conform]
#
# Every round measures, one after the other with the same wrk settings: the bare NIO server and the
# bare Hummingbird application (Benchmarks/BareNIOServer, BareHummingbirdServer: a fixed 400-byte
# answer), then each conform scenario against `conform serve --http-server hummingbird` (the
# HummingbirdCore server, "before") and `--http-server nio` (our own NIO pipeline, "after"), in
# alternating order. RUNS rounds; medians per scenario and server, and per-round ratios.
#
# Environment: DURATION (10s), CONNECTIONS (64), THREADS (2), RUNS (3), BARE_BIN (the folder of the
# bare servers: Benchmarks/.build-bench/release), SERVERS ("hummingbird nio": the conform front
# ends to measure), SKIP_MOTO=1 to leave moto out, SKIP_PUT=1 to leave the write scenarios out.
# Builds nothing: pass a release binary (swift build -c release --product conform) and build the
# bare servers (cd Benchmarks && swift build -c release --scratch-path .build-bench --product BareNIOServer,
# and --product BareHummingbirdServer). Prints one RESULT line per run and a MEDIAN line per
# scenario and server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-$repo/.build/release/conform}"
bare="${BARE_BIN:-$repo/Benchmarks/.build-bench/release}"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
runs="${RUNS:-3}"
fronts=(${SERVERS:-hummingbird nio})
work="$(mktemp -d)"
declare -A pids ports
moto_pid=""
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# start NAME COMMAND...: runs COMMAND (which prints "listening on http://HOST:PORT") as server NAME.
start() {
    local name="$1"; shift
    "$@" > "$work/$name.ready" 2> "$work/$name.log" &
    pids[$name]=$!
    for _ in $(seq 1 600); do  # up to a minute: the machine may be busy
        grep -q '^listening on ' "$work/$name.ready" 2>/dev/null && break
        sleep 0.1
    done
    ports[$name]="$(sed -n 's/^listening on http:\/\/[^:]*:\([0-9]*\)$/\1/p' "$work/$name.ready")"
    [ -n "${ports[$name]}" ] || { echo "$name did not start" >&2; cat "$work/$name.log" >&2; exit 1; }
}

stop() {  # stop NAME: SIGTERM, wait for exit 0
    kill -TERM "${pids[$1]}"
    wait "${pids[$1]}" || echo "$1 exited $?" >&2
    unset "pids[$1]"
}

start_conform() {  # start_conform NAME FRONT DURABILITY
    rm -rf "$work/$1.data"
    start "$1" "$bin" serve --port 0 --data-dir "$work/$1.data" --durability "$3" --http-server "$2"
}

# CPU time (user + system) of a process in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure ROUND SCENARIO SERVER SCRIPT: one wrk run against server SERVER; appends its RESULT line
# with the server's CPU time per request (load-independent, unlike req/s on a shared machine).
measure() {
    local round="$1" scenario="$2" server="$3" script="$4" pid="${pids[$3]}"
    local before after line requests
    before="$(cpu_ticks "$pid")"
    line="$(wrk -t"$threads" -c"$connections" -d"$duration" -s "$script" "http://127.0.0.1:${ports[$server]}/" | grep '^RESULT')"
    after="$(cpu_ticks "$pid")"
    requests="$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')"
    line="$line cpu_us_per_req=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests )) load=$(cut -d' ' -f1 /proc/loadavg)"
    echo "round $round $scenario $server: $line"
    echo "round=$round scenario=$scenario server=$server $line" >> "$work/results"
}

# The query scenarios: name, target, body (query.lua reads WRK_TARGET and WRK_BODY).
five='["bench-1", "bench-2", "bench-3", "bench-4", "bench-5"]'
queries=(
    "describe|DescribeConformancePacks|{\"ConformancePackNames\": $five}"
    "status|DescribeConformancePackStatus|{\"ConformancePackNames\": $five}"
    "pack-compliance|DescribeConformancePackCompliance|{\"ConformancePackName\": \"bench-1\"}"
    "pack-compliance-details|GetConformancePackComplianceDetails|{\"ConformancePackName\": \"bench-1\", \"Limit\": 20}"
    "pack-compliance-summary|GetConformancePackComplianceSummary|{\"ConformancePackNames\": $five}"
    "pack-compliance-scores|ListConformancePackComplianceScores|{}"
    "rule-compliance|DescribeComplianceByConfigRule|{\"ConfigRuleNames\": [\"bench-rule\"]}"
    "rule-compliance-details|GetComplianceDetailsByConfigRule|{\"ConfigRuleName\": \"bench-rule\", \"Limit\": 20}"
)

echo "conform: $bin; bare servers: $bare; wrk -t$threads -c$connections -d$duration; $runs rounds; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
start bare-nio "$bare/BareNIOServer" --port 0
start bare-hummingbird "$bare/BareHummingbirdServer" --port 0
for front in "${fronts[@]}"; do
    start_conform "conform-$front" "$front" none
    python3 "$here/seed.py" "http://127.0.0.1:${ports[conform-$front]}/" > /dev/null
done

touch "$work/counters"
for round in $(seq 1 "$runs"); do
    # Alternate which front end goes first, so drift within a round favours neither.
    order=("${fronts[@]}")
    if [ $((round % 2)) = 0 ]; then order=($(printf '%s\n' "${fronts[@]}" | tac)); fi
    measure "$round" floor bare-nio "$here/describe.lua"
    measure "$round" floor bare-hummingbird "$here/describe.lua"
    for query in "${queries[@]}"; do
        IFS='|' read -r name target body <<< "$query"
        for front in "${order[@]}"; do
            WRK_TARGET="StarlingDoveService.$target" WRK_BODY="$body" measure "$round" "$name" "conform-$front" "$here/query.lua"
        done
    done
    [ "${SKIP_PUT:-0}" = 1 ] && continue
    for front in "${order[@]}"; do
        start_conform "put-$front" "$front" every-batch
        measure "$round" put-every-batch "put-$front" "$here/put.lua"
        stop "put-$front"
        # Group commit: events and fsyncs of the run, from the server's shutdown line.
        counters="$(grep -o 'log.batches=[0-9]* log.events=[0-9]* log.syncs=[0-9]*' "$work/put-$front.log" | tail -1 || true)"
        echo "round=$round scenario=put-every-batch server=put-$front counters $counters" >> "$work/counters"
        echo "round $round put-every-batch put-$front: $counters"
    done
    for front in "${order[@]}"; do
        start_conform "evaluations-$front" "$front" every-batch
        curl -sf -o /dev/null -X POST "http://127.0.0.1:${ports[evaluations-$front]}/" \
            -H 'X-Amz-Target: StarlingDoveService.PutConfigRule' -H 'Content-Type: application/x-amz-json-1.1' \
            --data '{"ConfigRule": {"ConfigRuleName": "bench-rule", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}'
        measure "$round" put-evaluations-every-batch "evaluations-$front" "$here/evaluations.lua"
        stop "evaluations-$front"
    done
done
for front in "${fronts[@]}"; do stop "conform-$front"; done

python3 "$here/summarize.py" "$work/results" "$work/counters"

if [ "${SKIP_MOTO:-0}" != 1 ] && command -v moto_server > /dev/null; then
    moto_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    moto_server -p "$moto_port" > "$work/moto.log" 2>&1 &
    moto_pid=$!
    pids[moto]=$moto_pid
    ports[moto]=$moto_port
    python3 - "$moto_port" <<'PY'
import sys, time, boto3
client = boto3.client("config", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                      aws_access_key_id="123456789012", aws_secret_access_key="x")
import socket
for attempt in range(200):  # wait until moto listens
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
for i in range(1, 6):
    client.put_organization_conformance_pack(OrganizationConformancePackName=f"bench-{i}",
                                             TemplateS3Uri="s3://bench/template.yaml")
PY
    : > "$work/results"
    measure 1 moto-describe-org moto "$here/moto.lua"
    python3 "$here/summarize.py" "$work/results" /dev/null
fi

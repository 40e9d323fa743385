#!/usr/bin/env bash
# Loopback HTTP benchmarks of `conform serve` with wrk, and the moto comparison.
#
#   Benchmarks/wrk/run.sh [PATH/TO/conform]
#
# Environment: DURATION (10s), CONNECTIONS (64), THREADS (2), RUNS (3 per scenario; the median is
# reported), SKIP_MOTO=1 to leave moto out. Builds nothing: pass a release binary
# (swift build -c release --product conform). Prints one RESULT line per run and a MEDIAN line per
# scenario.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-$repo/.build/release/conform}"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
runs="${RUNS:-3}"
work="$(mktemp -d)"
server_pid=""
moto_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

start_conform() {  # $1 = durability
    rm -rf "$work/data"
    "$bin" serve --port 0 --data-dir "$work/data" --durability "$1" > "$work/ready" 2> "$work/server.log" &
    server_pid=$!
    for _ in $(seq 1 100); do
        grep -q '^listening on ' "$work/ready" 2>/dev/null && break
        sleep 0.1
    done
    port="$(sed -n 's/^listening on http:\/\/[^:]*:\([0-9]*\)$/\1/p' "$work/ready")"
    [ -n "$port" ] || { echo "conform serve did not start" >&2; cat "$work/server.log" >&2; exit 1; }
}

stop_conform() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
}

template='{\"Resources\": {\"R1\": {\"Type\": \"AWS::Config::ConfigRule\", \"Properties\": {\"ConfigRuleName\": \"s3-versioning\", \"Source\": {\"Owner\": \"AWS\", \"SourceIdentifier\": \"S3_BUCKET_VERSIONING_ENABLED\"}}}}}'

seed_packs() {
    for i in 1 2 3 4 5; do
        curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/" \
            -H 'X-Amz-Target: StarlingDoveService.PutConformancePack' \
            -H 'Content-Type: application/x-amz-json-1.1' \
            --data "{\"ConformancePackName\": \"bench-$i\", \"TemplateBody\": \"$template\"}"
    done
}

# CPU time (user + system) of a process in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# scenario NAME SCRIPT URL PID: RUNS runs of wrk, then the median of rps, p50, p99 and the server's
# CPU time per request (load-independent, unlike rps on a shared machine).
scenario() {
    local name="$1" script="$2" url="$3" pid="$4"
    : > "$work/$name.results"
    for run in $(seq 1 "$runs"); do
        before="$(cpu_ticks "$pid")"
        line="$(wrk -t"$threads" -c"$connections" -d"$duration" -s "$script" "$url" | grep '^RESULT')"
        after="$(cpu_ticks "$pid")"
        requests="$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')"
        line="$line cpu_us_per_req=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))"
        echo "$name run $run: $line"
        echo "$line" >> "$work/$name.results"
    done
    python3 - "$name" "$work/$name.results" <<'PY'
import re, statistics, sys
name, path = sys.argv[1], sys.argv[2]
rows = [dict(re.findall(r"(\w+)=([\d.]+)", line)) for line in open(path)]
median = lambda key: statistics.median(float(r[key]) for r in rows)
print(f"MEDIAN {name}: rps={median('rps'):.0f} p50_ms={median('p50_ms'):.3f} p99_ms={median('p99_ms'):.3f} "
      f"cpu_us_per_req={median('cpu_us_per_req'):.0f} non2xx={sum(int(r['non2xx']) for r in rows)}")
PY
}

echo "conform: $bin; wrk -t$threads -c$connections -d$duration; $runs runs per scenario; $(nproc) cores"

start_conform none
seed_packs
scenario describe "$here/describe.lua" "http://127.0.0.1:$port/" "$server_pid"
scenario status "$here/status.lua" "http://127.0.0.1:$port/" "$server_pid"
stop_conform

start_conform every-batch
scenario put-every-batch "$here/put.lua" "http://127.0.0.1:$port/" "$server_pid"
stop_conform

start_conform every-batch
curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/" \
    -H 'X-Amz-Target: StarlingDoveService.PutConfigRule' -H 'Content-Type: application/x-amz-json-1.1' \
    --data '{"ConfigRule": {"ConfigRuleName": "bench-rule", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}'
scenario put-evaluations-every-batch "$here/evaluations.lua" "http://127.0.0.1:$port/" "$server_pid"
stop_conform

if [ "${SKIP_MOTO:-0}" != 1 ] && command -v moto_server > /dev/null; then
    moto_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    moto_server -p "$moto_port" > "$work/moto.log" 2>&1 &
    moto_pid=$!
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
    scenario moto-describe-org "$here/moto.lua" "http://127.0.0.1:$moto_port/" "$moto_pid"
fi

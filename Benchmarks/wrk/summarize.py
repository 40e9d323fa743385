"""run.sh's summary: medians per scenario and server, and ratios taken within each round.

    summarize.py RESULTS COUNTERS

RESULTS has one line per wrk run (`round=N scenario=S server=V RESULT requests=… rps=… p50_ms=…
p99_ms=… … cpu_us_per_req=… load=…`); COUNTERS the log counters of the write servers
(`round=N scenario=S server=V counters log.batches=… log.events=… log.syncs=…`).
"""
import re
import statistics
import sys
from collections import defaultdict

FIELD = re.compile(r"([\w.]+)=([^\s]+)")


def rows(path):
    with open(path) as lines:
        return [dict(FIELD.findall(line)) for line in lines if line.strip()]


results, counters = rows(sys.argv[1]), rows(sys.argv[2])
runs = defaultdict(list)
for row in results:
    runs[(row["scenario"], row["server"])].append(row)
floor = {row["round"]: float(row["rps"]) for row in results if row["server"] == "bare-nio"}
by_round = {(row["round"], row["scenario"], row["server"]): row for row in results}
logged = {(row["round"], row["server"]): row for row in counters}


def median(values):
    return statistics.median(values) if values else float("nan")


for (scenario, server), group in runs.items():
    value = lambda key: median([float(row[key]) for row in group])
    line = (f"MEDIAN {scenario} {server}: rps={value('rps'):.0f} p50_ms={value('p50_ms'):.3f} "
            f"p99_ms={value('p99_ms'):.3f} cpu_us_per_req={value('cpu_us_per_req'):.0f} "
            f"non2xx={sum(int(row['non2xx']) for row in group)} "
            f"socket_errors={sum(int(row['socket_errors']) for row in group)} "
            f"load={'/'.join(row['load'] for row in group)}")
    ratios = [float(row["rps"]) / floor[row["round"]] for row in group if row["round"] in floor]
    if ratios and server != "bare-nio":
        line += f" x_bare_nio={median(ratios):.2f}"
    if server.endswith("-nio") and server.startswith(("conform", "put", "evaluations")):
        before = server[: -len("nio")] + "hummingbird"
        gains = [float(row["rps"]) / float(by_round[(row["round"], scenario, before)]["rps"])
                 for row in group if (row["round"], scenario, before) in by_round]
        if gains:
            line += f" x_hummingbird={median(gains):.2f}"
    per_sync = []
    for row in group:
        logged_row = logged.get((row["round"], server))
        if logged_row and int(logged_row["log.syncs"]) > 0:
            per_sync.append((int(logged_row["log.events"]) / int(logged_row["log.syncs"]),
                             int(row["requests"]) / int(logged_row["log.syncs"])))
    if per_sync:
        line += (f" events_per_fsync={median([p[0] for p in per_sync]):.1f}"
                 f" requests_per_fsync={median([p[1] for p in per_sync]):.1f}")
    print(line)

"""`conform bench`: seeded workloads in process and against the real server, with their reports."""

import json
import subprocess

import pytest

from conftest import run_conform


def bench(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_conform("bench", *args, timeout=300, check=check)


def report(*args: str) -> dict:
    return json.loads(bench(*args, "--format", "json").stdout)


@pytest.mark.parametrize("workload", ["deploy", "evaluations", "queries", "mixed", "organization"])
def test_every_workload_runs_in_process_without_errors(workload, tmp_path):
    result = report(workload, "--calls", "120", "--accounts", "4", "--resources", "20", "--durability", "none",
                    "--data-dir", str(tmp_path / "data"))
    assert result["workload"] == workload
    assert result["total"]["calls"] == 120
    assert result["total"]["errors"] == {}
    assert result["total"]["p50Microseconds"] > 0
    assert result["total"]["p99Microseconds"] >= result["total"]["p50Microseconds"]
    assert result["machine"]["cores"] >= 1
    assert "bench " + workload in result["command"]


def test_queries_against_the_server_leave_their_state_there(server):
    result = report("queries", "--endpoint-url", server.url, "--calls", "200", "--accounts", "2", "--resources", "10")
    assert result["target"] == server.url
    assert result["total"]["calls"] == 200 and result["total"]["errors"] == {}
    assert set(result["operations"]) == {
        "DescribeConformancePacks", "DescribeConformancePackStatus", "DescribeConformancePackCompliance",
        "GetConformancePackComplianceDetails", "GetConformancePackComplianceSummary", "ListConformancePackComplianceScores",
    }
    # The set-up's packs and results are in the server, visible to boto3.
    client = server.client(account="200000000001")
    packs = client.describe_conformance_packs()["ConformancePackDetails"]
    assert [p["ConformancePackName"] for p in packs] == ["bench-pack-0"]
    summary = client.get_conformance_pack_compliance_summary(ConformancePackNames=["bench-pack-0"])
    assert summary["ConformancePackComplianceSummaryList"][0]["ConformancePackComplianceStatus"] in ("COMPLIANT", "NON_COMPLIANT")


def test_the_same_seed_deploys_the_same_state(tmp_path):
    for name in ("a", "b"):
        report("deploy", "--calls", "60", "--concurrency", "2", "--accounts", "4", "--seed", "9", "--durability", "none",
               "--data-dir", str(tmp_path / name))
    # Same calls per worker, but the two workers interleave differently: compare what each account holds.
    def packs(name):
        out = run_conform("log", "dump", tmp_path / name, check=True).stdout
        return sorted(line.split("\t")[-1].split(" id=")[0] for line in out.splitlines() if "PackRequested" in line)
    assert packs("a") == packs("b")


def test_replay_reports_its_rate(tmp_path):
    data = tmp_path / "data"
    report("mixed", "--calls", "50", "--accounts", "2", "--resources", "10", "--durability", "none", "--data-dir", str(data))
    result = report("replay", "--data-dir", str(data))
    figures = result["figures"]
    assert figures["events replayed"]["value"] > 20
    assert figures["replay rate"]["unit"] == "events/s"


def test_bad_options_are_clear_errors(tmp_path):
    unknown = bench("nonsense", check=False)
    assert unknown.returncode != 0 and "Unknown workload 'nonsense'" in unknown.stderr
    replay = bench("replay", check=False)
    assert replay.returncode != 0 and "give --data-dir" in replay.stderr
    crowded = bench("deploy", "--accounts", "2", "--concurrency", "4", check=False)
    assert crowded.returncode != 0 and "--accounts of at least --concurrency" in crowded.stderr
    refused = bench("queries", "--endpoint-url", "http://127.0.0.1:9", "--calls", "5", check=False)
    assert refused.returncode == 2 and "error:" in refused.stderr
    (tmp_path / "templates").mkdir()
    empty = bench("deploy", "--templates", str(tmp_path / "templates"), check=False)
    assert empty.returncode != 0 and "holds no template" in empty.stderr

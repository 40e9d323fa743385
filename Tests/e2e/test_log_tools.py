"""`conform log dump` filters, --reverse and --follow; `conform log history` and `conform log diff`;
and a clear one-line error from each on a damaged log."""

import json
import queue
import threading
import signal
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import THREE_RULES, conform_bin, put_pack, run_conform


def conform(*args, timeout=60):
    return run_conform(*args, timeout=timeout)


def dump_json(data_dir, *args):
    result = conform("log", "dump", data_dir, "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def evaluate(config, rule, *results):
    config.put_evaluations(ResultToken=rule, Evaluations=[
        {"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": resource, "ComplianceType": compliance,
         "OrderingTimestamp": datetime(2024, 1, 2, tzinfo=timezone.utc)} for resource, compliance in results])


@pytest.fixture
def written(server, config):
    """A log: pack demo, results for one of its rules, a user rule, then results that flip."""
    put_pack(config, "demo")
    rules = [r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]]
    versioning = next(r for r in rules if r.startswith("s3-versioning-"))
    evaluate(config, versioning, ("b1", "COMPLIANT"), ("b2", "NON_COMPLIANT"))
    config.put_config_rule(ConfigRule={"ConfigRuleName": "user-rule",
                                       "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    middle = max(e["sequence"] for e in dump_json(server.data_dir))
    evaluate(config, versioning, ("b2", "COMPLIANT"))
    return {"server": server, "config": config, "rule": versioning, "middle": middle}


def test_dump_json_has_structured_fields_and_filters(written):
    data = written["server"].data_dir
    events = dump_json(data)
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
    requested = next(e for e in events if e["type"] == "PackRequested")
    assert requested["account"] == "123456789012" and requested["region"] == "us-east-1" and requested["pack"] == "demo"
    assert written["rule"] in requested["rules"] and isinstance(requested["recordType"], int)

    by_pack = dump_json(data, "--pack", "demo")
    assert {e["type"] for e in by_pack} == {"PackRequested", "PackCompleted"}
    by_rule = dump_json(data, "--rule", written["rule"])
    assert [e["type"] for e in by_rule] == ["PackRequested", "EvaluationsRecorded", "EvaluationsRecorded"]
    by_type = dump_json(data, "--type", "evaluationsrecorded,configRulePut")
    assert [e["type"] for e in by_type] == ["EvaluationsRecorded", "ConfigRulePut", "EvaluationsRecorded"]
    assert dump_json(data, "--type", "ConfigRulePut", "--type", "PackCompleted", "--account", "123456789012") == \
        [e for e in events if e["type"] in ("ConfigRulePut", "PackCompleted")]
    assert dump_json(data, "--account", "999999999999") == []
    assert dump_json(data, "--rule", "user-rule", "--pack", "demo") == []

    bad = conform("log", "dump", data, "--type", "NoSuchEvent")
    assert bad.returncode != 0 and "PackRequested" in bad.stderr


def test_dump_reverse_reads_newest_first_within_bounds(written):
    data = written["server"].data_dir
    forward = dump_json(data)
    backward = dump_json(data, "--reverse")
    assert backward == list(reversed(forward))
    assert [e["sequence"] for e in dump_json(data, "--reverse", "--from", 2, "--to", 4)] == [4, 3, 2]
    assert [e["sequence"] for e in dump_json(data, "--reverse", "--type", "EvaluationsRecorded")] == \
        [e["sequence"] for e in reversed(forward) if e["type"] == "EvaluationsRecorded"]
    refused = conform("log", "dump", data, "--reverse", "--follow")
    assert refused.returncode != 0 and "--follow" in refused.stderr


def test_dump_matches_an_org_packs_deletion_by_member_pack_from_any_start(make_server, tmp_path):
    """A deletion does not carry the member pack name; the dump learns it from the request even
    when it reads backwards or starts after the request."""
    organization = tmp_path / "organization.json"
    organization.write_text(json.dumps({"ManagementAccountId": "111111111111", "MemberAccountIds": ["222222222222"]}))
    server = make_server("--organization", str(organization))
    management = server.client("111111111111")
    arn = management.put_organization_conformance_pack(
        OrganizationConformancePackName="Base", TemplateBody=THREE_RULES)["OrganizationConformancePackArn"]
    management.put_config_rule(ConfigRule={"ConfigRuleName": "unrelated",
                                           "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    management.delete_organization_conformance_pack(OrganizationConformancePackName="Base")
    member = f"OrgConformsPack-Base-{arn[-8:]}"
    data = server.data_dir

    forward = dump_json(data, "--pack", member)
    assert "OrgPackDeleteRequested" in [e["type"] for e in forward], forward
    assert dump_json(data, "--pack", member, "--reverse") == list(reversed(forward))
    deletion = next(e for e in forward if e["type"] == "OrgPackDeleteRequested")["sequence"]
    assert dump_json(data, "--pack", member, "--from", deletion) == [e for e in forward if e["sequence"] >= deletion]
    # JSON lists the member pack of the deletion wherever the dump starts.
    assert member in dump_json(data, "--from", deletion, "--to", deletion)[0]["packs"]


def read_line(process, timeout=20.0):
    """The next line of the process's output, read by a thread of its own: `select` on the pipe
    would miss lines already pulled into Python's buffer by an earlier `readline`."""
    lines = getattr(process, "lines", None)
    if lines is None:
        lines = process.lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError("no line from conform log dump --follow") from None


def test_dump_follow_prints_events_appended_after_it_started(server, config):
    put_pack(config, "first")
    existing = max(e["sequence"] for e in dump_json(server.data_dir))
    follower = subprocess.Popen([conform_bin(), "log", "dump", str(server.data_dir), "--format", "json", "--follow"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = [json.loads(read_line(follower)) for _ in range(existing)]
        assert seen[-1]["sequence"] == existing
        put_pack(config, "second")
        live = json.loads(read_line(follower))
        assert live["sequence"] == existing + 1 and live["type"] == "PackRequested" and live["pack"] == "second"
        follower.send_signal(signal.SIGINT)
        assert follower.wait(10) == 0, follower.stderr.read()
        # Following ends by itself once --to is reached.
        bounded = conform("log", "dump", server.data_dir, "--follow", "--to", 1, timeout=10)
        assert bounded.returncode == 0 and len(bounded.stdout.splitlines()) == 1
    finally:
        if follower.poll() is None:
            follower.kill()


def test_history_of_a_pack_and_of_a_rule(written):
    data = written["server"].data_dir
    text = conform("log", "history", data, "--account", "123456789012", "--pack", "demo")
    assert text.returncode == 0, text.stderr
    assert text.stderr == ""  # no progress line when standard error is not a terminal
    lines = text.stdout.splitlines()
    assert [line.split("\t")[2] for line in lines] == ["PackRequested", "PackCompleted", "EvaluationsRecorded", "EvaluationsRecorded"]
    assert "CREATE_IN_PROGRESS" in lines[0] and "CREATE_COMPLETE rules=3" in lines[1]
    assert "non_compliant=1" in lines[2] and "score=50.00" in lines[2] and "score=100.00" in lines[3]

    rule = conform("log", "history", data, "--pack", "demo", "--rule", "s3-versioning", "--format", "json")
    assert rule.returncode == 0, rule.stderr
    entries = [json.loads(line) for line in rule.stdout.splitlines()]
    assert [e["type"] for e in entries] == ["PackRequested", "PackCompleted", "EvaluationsRecorded", "EvaluationsRecorded"]
    assert entries[0]["exists"] is False and entries[1]["name"] == written["rule"]
    assert entries[2]["compliance"] == "NON_COMPLIANT" and entries[2]["counts"] == {"compliant": 1, "nonCompliant": 1, "notApplicable": 0}
    assert entries[3]["compliance"] == "COMPLIANT" and entries[3]["counts"]["compliant"] == 2

    missing = conform("log", "history", data, "--pack", "nope")
    assert missing.returncode == 0 and missing.stdout == "" and "no event touched pack nope" in missing.stderr
    assert conform("log", "history", data).returncode != 0


def test_diff_between_two_points(written):
    data = written["server"].data_dir
    middle = written["middle"]
    result = conform("log", "diff", data, "--from", middle, "--format", "json")
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    assert diff["from"] == middle and diff["packs"] == [] and diff["rules"] == [] and "organization" not in diff
    [change] = diff["compliance"]
    assert change["name"] == written["rule"]
    assert change["before"]["compliance"] == "NON_COMPLIANT" and change["after"]["compliance"] == "COMPLIANT"
    assert change["flipped"] == [{"resourceType": "AWS::S3::Bucket", "resourceId": "b2",
                                  "before": "NON_COMPLIANT", "after": "COMPLIANT"}]

    text = conform("log", "diff", data, "--from", 0, "--to", middle)
    assert text.returncode == 0, text.stderr
    assert "pack added 123456789012/us-east-1 demo - -> CREATE_COMPLETE" in text.stdout
    assert "rule added 123456789012/us-east-1 user-rule" in text.stdout
    assert f"  AWS::S3::Bucket b2: none -> NON_COMPLIANT" in text.stdout

    # An ISO-8601 time before the first batch is the empty state.
    early = conform("log", "diff", data, "--from", "2000-01-01T00:00:00Z", "--to", middle)
    assert early.returncode == 0 and early.stdout == text.stdout
    assert conform("log", "diff", data, "--from", "yesterday").returncode != 0
    beyond = conform("log", "diff", data, "--from", 1, "--to", 10_000)
    assert beyond.returncode == 2 and "ends at sequence" in beyond.stderr
    assert conform("log", "diff", data, "--from", middle, "--to", middle).stdout.endswith("no changes\n")


def test_damaged_log_gets_one_line_error_from_every_new_command(written):
    server = written["server"]
    config = written["config"]
    for n in range(20):
        put_pack(config, f"more-{n}")
    assert server.stop() == 0
    segment = sorted((server.data_dir / "events").glob("*.seg"))[0]
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    segment.write_bytes(bytes(data))
    for args in (["dump"], ["dump", "--reverse"], ["dump", "--pack", "demo"], ["history", "--pack", "demo"],
                 ["diff", "--from", 0]):
        result = conform("log", args[0], server.data_dir, *args[1:])
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (args, result.stderr)
        assert len(lines) == 1 and lines[0].startswith("error:") and str(segment) in lines[0] and "offset" in lines[0], (args, result.stderr)
        assert "Fatal error" not in result.stderr

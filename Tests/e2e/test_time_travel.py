"""Time travel: `x-conform-at` on queries of a writable server, and `conform replay --to`."""

import datetime
import json
import shutil
import time

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import Server, put_pack, run_conform


def at(client, value):
    """Makes every call of `client` carry `x-conform-at: value`."""
    def add_header(request, **kwargs):
        request.headers["x-conform-at"] = str(value)
    client.meta.events.register("before-send.config.*", add_header)
    return client


def evaluate(client, pack, compliance):
    rules = [r["ConfigRuleName"] for r in client.describe_config_rules()["ConfigRules"]
             if r["ConfigRuleName"].startswith("s3-versioning-conformance-pack-")]
    for rule in rules:
        client.put_evaluations(ResultToken=rule, Evaluations=[{
            "ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "bucket-1",
            "ComplianceType": compliance, "OrderingTimestamp": datetime.datetime.now(datetime.timezone.utc)}])


def snapshot(client):
    """Every query's answer, without the request metadata."""
    calls = {
        "packs": lambda: client.describe_conformance_packs(),
        "status": lambda: client.describe_conformance_pack_status(),
        "rules": lambda: client.describe_config_rules(),
        "compliance": lambda: client.describe_conformance_pack_compliance(ConformancePackName="pack-a"),
        "summary": lambda: client.get_conformance_pack_compliance_summary(ConformancePackNames=["pack-a"]),
        "scores": lambda: client.list_conformance_pack_compliance_scores(),
        "by_rule": lambda: client.describe_compliance_by_config_rule(),
        "org": lambda: client.describe_organization_conformance_packs(),
    }
    out = {}
    for name, call in calls.items():
        answer = call()
        answer.pop("ResponseMetadata", None)
        out[name] = answer
    return out


def end_sequence(server):
    answer = requests.post(server.url, data="{}", headers={
        "X-Amz-Target": "StarlingDoveService.DescribeConformancePacks", "x-conform-at": "18446744073709551615"})
    assert answer.status_code == 200, answer.text
    return int(answer.headers["x-conform-at-sequence"])


def test_header_answers_equal_serve_at(make_server):
    writer = make_server(durability="every-batch")
    client = writer.client()
    put_pack(client, "pack-a")
    evaluate(client, "pack-a", "NON_COMPLIANT")
    first = end_sequence(writer)
    time.sleep(0.05)
    between = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    time.sleep(0.05)
    evaluate(client, "pack-a", "COMPLIANT")
    put_pack(client, "pack-b")
    assert end_sequence(writer) > first

    for point in (str(first), between):
        view = Server(writer.data_dir, "--at", point).start()
        try:
            expected = snapshot(view.client())
            assert snapshot(at(writer.client(), point)) == expected
        finally:
            assert view.stop() == 0
    # The past differs from the present, and the header does not change the present.
    past = at(writer.client(), first).get_conformance_pack_compliance_summary(ConformancePackNames=["pack-a"])
    now = client.get_conformance_pack_compliance_summary(ConformancePackNames=["pack-a"])
    assert past["ConformancePackComplianceSummaryList"][0]["ConformancePackComplianceStatus"] == "NON_COMPLIANT"
    assert now["ConformancePackComplianceSummaryList"][0]["ConformancePackComplianceStatus"] == "COMPLIANT"
    assert [p["ConformancePackName"] for p in at(writer.client(), first).describe_conformance_packs()["ConformancePackDetails"]] == ["pack-a"]
    # Sequence 0: nothing yet.
    assert at(writer.client(), 0).describe_conformance_packs()["ConformancePackDetails"] == []


def test_header_on_a_write_is_refused(server):
    client = at(server.client(), 1)
    with pytest.raises(ClientError) as excinfo:
        put_pack(client, "pack-x")
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert "only accepted on queries" in excinfo.value.response["Error"]["Message"]
    admin = requests.post(server.url, data='{"TemplateS3Uri": "s3://b/k", "TemplateBody": "x"}',
                          headers={"X-Amz-Target": "ConformAdmin.PutTemplate", "x-conform-at": "1"})
    assert admin.status_code == 400 and admin.json()["__type"] == "ValidationException"
    assert server.client().describe_conformance_packs()["ConformancePackDetails"] == []
    # An admin query is answered at the point.
    org = requests.post(server.url, data="{}", headers={"X-Amz-Target": "ConformAdmin.DescribeOrganization", "x-conform-at": "0"})
    assert org.status_code == 200 and org.headers["x-conform-at-sequence"] == "0"


@pytest.mark.parametrize("value", ["yesterday", "-1", "12abc", "2024-13-45T00:00:00Z"])
def test_malformed_header_is_refused(server, value):
    with pytest.raises(ClientError) as excinfo:
        at(server.client(), value).describe_conformance_packs()
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert "x-conform-at" in excinfo.value.response["Error"]["Message"]


def replay(*args):
    return run_conform("replay", *args)


def test_replay_digest_and_json(make_server, tmp_path):
    writer = make_server(durability="every-batch")
    client = writer.client()
    put_pack(client, "pack-a")
    evaluate(client, "pack-a", "NON_COMPLIANT")
    middle = end_sequence(writer)
    evaluate(client, "pack-a", "COMPLIANT")
    put_pack(client, "pack-b")
    # Beside the running writer.
    live = replay(writer.data_dir, "--to", middle, "--digest")
    assert live.returncode == 0, live.stderr
    assert writer.stop() == 0  # writes a final snapshot, past `middle`

    digest = replay(writer.data_dir, "--to", middle, "--digest")
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout.strip() == live.stdout.strip() and len(digest.stdout.strip()) == 32
    assert f"to sequence {middle}" in digest.stderr and "replayed" in digest.stderr
    fresh = tmp_path / "fresh"
    shutil.copytree(writer.data_dir, fresh)
    shutil.rmtree(fresh / "snapshots")
    again = replay(fresh, "--to", middle, "--digest")
    assert again.stdout == digest.stdout and "from the start of the log" in again.stderr
    end = replay(writer.data_dir, "--digest")
    assert end.stdout != digest.stdout
    assert replay(writer.data_dir, "--to", 10**12, "--digest").stdout == end.stdout
    assert replay(fresh, "--digest").stdout == end.stdout
    # From the snapshot the writer left at the end.
    assert "from the snapshot at sequence" in end.stderr

    report = replay(writer.data_dir, "--to", middle, "--format", "json")
    assert report.returncode == 0, report.stderr
    parsed = json.loads(report.stdout)
    assert parsed["lastSequence"] == middle and parsed["digest"] == digest.stdout.strip()
    [partition] = parsed["partitions"]
    assert (partition["accountId"], partition["region"]) == ("123456789012", "us-east-1")
    assert [p["name"] for p in partition["packs"]] == ["pack-a"]
    assert partition["packs"][0]["status"] == "CREATE_COMPLETE"
    assert partition["packs"][0]["compliance"]["compliance"] == "NON_COMPLIANT"
    assert partition["packs"][0]["compliance"]["score"] == 0
    assert len(partition["rules"]) == 3
    text = replay(writer.data_dir, "--to", middle)
    assert "pack pack-a: CREATE_COMPLETE" in text.stdout and "pack-b" not in text.stdout
    as_json_digest = json.loads(replay(writer.data_dir, "--to", middle, "--digest", "--format", "json").stdout)
    assert as_json_digest == {"lastSequence": middle, "digest": digest.stdout.strip()}


def test_replay_errors_are_one_line(make_server, tmp_path):
    writer = make_server()
    client = writer.client()
    for name in ("pack-a", "pack-b", "pack-c"):
        put_pack(client, name)
    assert writer.stop() == 0
    shutil.rmtree(writer.data_dir / "snapshots")
    [segment] = sorted((writer.data_dir / "events").glob("*.seg"))
    data = bytearray(segment.read_bytes())
    data[16 + 48 + 2] ^= 0xFF  # inside the first batch's payload; valid batches follow
    segment.write_bytes(bytes(data))
    result = replay(writer.data_dir, "--digest")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and segment.name in lines[0], result.stderr

    bad = replay(writer.data_dir, "--to", "yesterday")
    assert bad.returncode != 0 and "--to" in bad.stderr
    missing = replay(tmp_path / "nowhere")
    assert missing.returncode != 0 and "error:" in missing.stderr and "Fatal" not in missing.stderr

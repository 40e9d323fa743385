"""Compliance end to end through boto3: the evaluation feed, every compliance query and paginator,
the bulk admin target and `conform load` in both of its modes."""

import datetime
import json
import subprocess

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import DEFAULT_ACCOUNT, THREE_RULES, conform_bin, put_pack

T0 = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def error_code(call, *args, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.response["Error"]["Code"]


def evaluation(resource, compliance, seconds=0, resource_type="AWS::S3::Bucket", **extra):
    return {"ComplianceResourceType": resource_type, "ComplianceResourceId": resource, "ComplianceType": compliance,
            "OrderingTimestamp": T0 + datetime.timedelta(seconds=seconds), **extra}


def deployed(config, name):
    rules = config.describe_config_rules()["ConfigRules"]
    return next(r["ConfigRuleName"] for r in rules if r["ConfigRuleName"].startswith(name + "-conformance-pack-"))


@pytest.fixture
def pack(config):
    put_pack(config, "pack")
    return {short: deployed(config, short) for short in ["s3-versioning", "iam-password-policy", "root-account-mfa"]}


def test_feed_and_every_query(config, pack):
    s3, iam, mfa = pack["s3-versioning"], pack["iam-password-policy"], pack["root-account-mfa"]
    answer = config.put_evaluations(ResultToken=s3, Evaluations=[
        evaluation("bucket-a", "COMPLIANT", Annotation="versioned"),
        evaluation("bucket-b", "NON_COMPLIANT", Annotation="not versioned"),
        evaluation("bucket-c", "NOT_APPLICABLE"),
    ])
    assert answer["FailedEvaluations"] == []
    config.put_evaluations(ResultToken=iam, Evaluations=[evaluation(DEFAULT_ACCOUNT, "COMPLIANT", resource_type="AWS::::Account")])

    rules = config.describe_conformance_pack_compliance(ConformancePackName="pack")
    assert rules["ConformancePackName"] == "pack"
    by_rule = {r["ConfigRuleName"]: r["ComplianceType"] for r in rules["ConformancePackRuleComplianceList"]}
    assert by_rule == {s3: "NON_COMPLIANT", iam: "COMPLIANT", mfa: "INSUFFICIENT_DATA"}
    non_compliant = config.describe_conformance_pack_compliance(
        ConformancePackName="pack", Filters={"ComplianceType": "NON_COMPLIANT"})["ConformancePackRuleComplianceList"]
    assert [r["ConfigRuleName"] for r in non_compliant] == [s3]

    details = config.get_conformance_pack_compliance_details(ConformancePackName="pack")["ConformancePackRuleEvaluationResults"]
    assert [(d["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"], d["ComplianceType"]) for d in details] == [
        (DEFAULT_ACCOUNT, "COMPLIANT"), ("bucket-a", "COMPLIANT"), ("bucket-b", "NON_COMPLIANT")]
    first = details[1]
    assert first["EvaluationResultIdentifier"]["EvaluationResultQualifier"] == {
        "ConfigRuleName": s3, "ResourceType": "AWS::S3::Bucket", "ResourceId": "bucket-a", "EvaluationMode": "DETECTIVE"}
    assert first["EvaluationResultIdentifier"]["OrderingTimestamp"] == T0
    assert first["Annotation"] == "versioned"
    assert first["ResultRecordedTime"] == first["ConfigRuleInvokedTime"]

    summary = config.get_conformance_pack_compliance_summary(ConformancePackNames=["pack"])
    assert summary["ConformancePackComplianceSummaryList"] == [
        {"ConformancePackName": "pack", "ConformancePackComplianceStatus": "NON_COMPLIANT"}]

    scores = config.list_conformance_pack_compliance_scores()["ConformancePackComplianceScores"]
    assert [(s["ConformancePackName"], s["Score"]) for s in scores] == [("pack", "66.66666666666667")]

    compliance = {c["ConfigRuleName"]: c["Compliance"] for c in config.describe_compliance_by_config_rule()["ComplianceByConfigRules"]}
    assert compliance[s3] == {"ComplianceType": "NON_COMPLIANT",
                              "ComplianceContributorCount": {"CappedCount": 1, "CapExceeded": False}}
    assert compliance[mfa] == {"ComplianceType": "INSUFFICIENT_DATA"}

    results = config.get_compliance_details_by_config_rule(ConfigRuleName=s3)["EvaluationResults"]
    assert [r["ComplianceType"] for r in results] == ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]
    only = config.get_compliance_details_by_config_rule(ConfigRuleName=s3, ComplianceTypes=["NOT_APPLICABLE"])["EvaluationResults"]
    assert [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for r in only] == ["bucket-c"]


def test_refusals(config, pack):
    s3 = pack["s3-versioning"]
    assert error_code(config.put_evaluations, ResultToken=s3, Evaluations=[evaluation("b", "INSUFFICIENT_DATA")]) == "InvalidParameterValueException"
    assert error_code(config.put_evaluations, ResultToken="nope", Evaluations=[evaluation("b", "COMPLIANT")]) == "InvalidResultTokenException"
    assert error_code(config.put_evaluations, ResultToken=s3, Evaluations=[evaluation(f"b{i}", "COMPLIANT") for i in range(101)]) == "ValidationException"
    assert error_code(config.describe_conformance_pack_compliance, ConformancePackName="absent") == "NoSuchConformancePackException"
    assert error_code(config.describe_conformance_pack_compliance, ConformancePackName="pack",
                      Filters={"ConfigRuleNames": ["not-mine"]}) == "NoSuchConfigRuleInConformancePackException"
    assert error_code(config.get_conformance_pack_compliance_details, ConformancePackName="pack",
                      Filters={"ResourceIds": ["x"]}) == "InvalidParameterValueException"
    assert error_code(config.get_compliance_details_by_config_rule, ConfigRuleName="absent") == "NoSuchConfigRuleException"
    assert error_code(config.get_compliance_details_by_config_rule, ConfigRuleName=s3[:64],
                      ComplianceTypes=["INSUFFICIENT_DATA"]) in ("InvalidParameterValueException", "NoSuchConfigRuleException")
    assert error_code(config.delete_evaluation_results, ConfigRuleName=s3[:64]) in ("AccessDeniedException", "NoSuchConfigRuleException")
    assert error_code(config.get_conformance_pack_compliance_summary, ConformancePackNames=["pack", "absent"]) == "NoSuchConformancePackException"
    assert error_code(config.get_compliance_details_by_config_rule, ConfigRuleName=s3[:64], NextToken="forged") in (
        "InvalidNextTokenException", "NoSuchConfigRuleException")


def test_huge_timestamps_are_refused_and_the_server_stays_up(server, config, pack):
    s3 = pack["s3-versioning"]
    for timestamp in ["1e16", "1e300", "-1e300"]:
        body = ('{"ResultToken": "%s", "Evaluations": [{"ComplianceResourceType": "AWS::S3::Bucket", '
                '"ComplianceResourceId": "b", "ComplianceType": "COMPLIANT", "OrderingTimestamp": %s}]}' % (s3, timestamp))
        answer = requests.post(server.url, data=body, headers={
            "X-Amz-Target": "StarlingDoveService.PutEvaluations", "Content-Type": "application/x-amz-json-1.1"})
        assert answer.status_code == 400, answer.text
        assert answer.json()["__type"] in ("InvalidParameterValueException", "SerializationException"), answer.text
    assert config.describe_conformance_packs()["ConformancePackDetails"]


def test_user_rule_results_and_their_deletion(config):
    config.put_config_rule(ConfigRule={"ConfigRuleName": "mine", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    config.put_evaluations(ResultToken="mine", Evaluations=[evaluation("b", "NON_COMPLIANT")])
    config.put_evaluations(ResultToken="mine", Evaluations=[evaluation("b", "COMPLIANT", seconds=-10)])  # older: ignored
    [result] = config.get_compliance_details_by_config_rule(ConfigRuleName="mine")["EvaluationResults"]
    assert result["ComplianceType"] == "NON_COMPLIANT"
    config.delete_evaluation_results(ConfigRuleName="mine")
    assert config.get_compliance_details_by_config_rule(ConfigRuleName="mine")["EvaluationResults"] == []


def test_paginators(config, pack):
    s3 = pack["s3-versioning"]
    for chunk in range(3):
        config.put_evaluations(ResultToken=s3, Evaluations=[evaluation(f"r{chunk * 100 + i}", "NON_COMPLIANT" if i % 2 else "COMPLIANT")
                                                            for i in range(100)])
    pages = list(config.get_paginator("get_compliance_details_by_config_rule").paginate(
        ConfigRuleName=s3, PaginationConfig={"PageSize": 7}))
    ids = [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for p in pages for r in p["EvaluationResults"]]
    assert ids == [f"r{i}" for i in range(300)]
    assert len(pages) == 43

    rules = [r["ConfigRuleName"] for p in config.get_paginator("describe_conformance_pack_compliance").paginate(
        ConformancePackName="pack", PaginationConfig={"PageSize": 1}) for r in p["ConformancePackRuleComplianceList"]]
    assert rules == sorted(pack.values())
    compliance = [c["ConfigRuleName"] for p in config.get_paginator("describe_compliance_by_config_rule").paginate()
                  for c in p["ComplianceByConfigRules"]]
    assert compliance == sorted(pack.values())
    summaries = [s for p in config.get_paginator("get_conformance_pack_compliance_summary").paginate(ConformancePackNames=["pack"])
                 for s in p["ConformancePackComplianceSummaryList"]]
    assert len(summaries) == 1

    # The operations without a botocore paginator page by hand.
    token, seen = None, []
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = config.get_conformance_pack_compliance_details(ConformancePackName="pack", Limit=13, **kwargs)
        seen += page["ConformancePackRuleEvaluationResults"]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == 300


def admin(server, target, body):
    return requests.post(server.url, data=json.dumps(body), headers={
        "X-Amz-Target": f"ConformAdmin.{target}", "Content-Type": "application/x-amz-json-1.1"})


def test_bulk_admin_target(server, config, pack):
    s3 = pack["s3-versioning"]
    records = [{"AccountId": DEFAULT_ACCOUNT, "ConfigRuleName": s3, "ComplianceResourceType": "AWS::S3::Bucket",
                "ComplianceResourceId": f"b{i}", "ComplianceType": "COMPLIANT", "OrderingTimestamp": 1704164645 + i} for i in range(50)]
    records.append({**records[0], "ConfigRuleName": "missing"})
    records.append({**records[0], "ComplianceType": "INSUFFICIENT_DATA"})
    answer = admin(server, "PutEvaluationResults", {"EvaluationResults": records})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["Accepted"] == 50
    assert [(r["Index"], r["ErrorCode"]) for r in body["Rejected"]] == [(50, "NoSuchConfigRuleException"), (51, "InvalidParameterValueException")]
    assert len(config.get_compliance_details_by_config_rule(ConfigRuleName=s3, Limit=100)["EvaluationResults"]) == 50
    strict = admin(server, "PutEvaluationResults", {"EvaluationResults": records, "Strict": True})
    assert strict.status_code == 200, strict.text
    assert strict.json()["Accepted"] == 0 and [r["Index"] for r in strict.json()["Rejected"]] == [50, 51]


def ndjson(tmp_path, rule, count, bad=()):
    path = tmp_path / "results.ndjson"
    with path.open("w") as f:
        for i in range(count):
            if i in bad:
                f.write('{"AccountId": "123456789012", "ConfigRuleName": \n' if i % 2 else '{"this is": ["not a record"]}\n')
                continue
            f.write(json.dumps({"AccountId": DEFAULT_ACCOUNT, "ConfigRuleName": rule, "ComplianceResourceType": "AWS::S3::Bucket",
                                "ComplianceResourceId": f"bucket-\u00e9-{i}", "ComplianceType": ["COMPLIANT", "NON_COMPLIANT"][i % 2],
                                "OrderingTimestamp": "2024-01-02T03:04:05Z" if i % 3 else 1704164645.5,
                                "Annotation": None if i % 5 else f"note {i}"}) + "\n")
    return path


def test_load_into_a_server(server, config, pack, tmp_path):
    s3 = pack["s3-versioning"]
    path = ndjson(tmp_path, s3, 25_000, bad={7, 8})
    result = subprocess.run([conform_bin(), "load", str(path), "--endpoint-url", server.url],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("loaded 24998 results, 2 rejected, in ")
    assert "line 8:" in result.stderr and "line 9:" in result.stderr
    total = sum(len(p["EvaluationResults"]) for p in config.get_paginator("get_compliance_details_by_config_rule").paginate(
        ConfigRuleName=s3, PaginationConfig={"PageSize": 100}))
    assert total == 24_998
    ids = config.get_compliance_details_by_config_rule(ConfigRuleName=s3, Limit=1)["EvaluationResults"]
    assert ids[0]["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] == "bucket-\u00e9-0"

    # --strict stops at the first bad line, having recorded every line before it and none after.
    config.put_config_rule(ConfigRule={"ConfigRuleName": "strict", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    strict_path = ndjson(tmp_path, "strict", 30, bad={12})
    lines = strict_path.read_text().splitlines()
    lines[20] = lines[20].replace('"strict"', '"missing-rule"')
    strict_path.write_text("\n".join(lines) + "\n")
    strict = subprocess.run([conform_bin(), "load", str(strict_path), "--endpoint-url", server.url, "--strict", "--batch-size", "7"],
                            capture_output=True, text=True, timeout=300)
    assert strict.returncode != 0 and "line 13:" in strict.stderr
    assert strict.stdout.startswith("loaded 12 results, 1 rejected")
    assert len(config.get_compliance_details_by_config_rule(ConfigRuleName="strict", Limit=100)["EvaluationResults"]) == 12
    # A refusal by the engine (an unknown rule, line 21 here) stops it the same way.
    tail = tmp_path / "tail.ndjson"
    tail.write_text("\n".join(lines[13:]) + "\n")
    refused = subprocess.run([conform_bin(), "load", str(tail), "--endpoint-url", server.url, "--strict", "--batch-size", "5"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "line 8:" in refused.stderr, refused.stderr
    assert refused.stdout.startswith("loaded 7 results, 1 rejected")
    assert len(config.get_compliance_details_by_config_rule(ConfigRuleName="strict", Limit=100)["EvaluationResults"]) == 19


def test_load_into_a_data_directory(make_server, tmp_path):
    server = make_server(name="offline")
    config = server.client()
    put_pack(config, "pack", THREE_RULES)
    rule = deployed(config, "s3-versioning")
    assert server.stop() == 0
    path = ndjson(tmp_path, rule, 1000)
    result = subprocess.run([conform_bin(), "load", str(path), "--data-dir", str(server.data_dir)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("loaded 1000 results, 0 rejected")
    server.start()
    config = server.client()
    assert len(config.get_conformance_pack_compliance_details(ConformancePackName="pack")["ConformancePackRuleEvaluationResults"]) == 100
    # Input from standard input, too.
    stdin = subprocess.run([conform_bin(), "load", "-", "--endpoint-url", server.url], input=path.read_text(),
                           capture_output=True, text=True, timeout=300)
    assert stdin.returncode == 0, stdin.stderr
    assert stdin.stdout.startswith("loaded 1000 results")

"""Every routed operation through boto3: happy paths, every modeled error the engine can raise,
constraint errors, and botocore's own paginators across pages."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import CORPUS, DEFAULT_ACCOUNT, THREE_RULES, put_pack

CORPUS_TEMPLATE = "Security-Best-Practices-for-EKS.yaml"


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def expect_error(code: str, call, *args, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    assert error_code(excinfo) == code, excinfo.value.response
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert excinfo.value.response["Error"]["Message"]
    return excinfo.value


def test_put_describe_status_and_rules(config):
    arn = put_pack(config, "pack-a")["ConformancePackArn"]
    assert arn.startswith(f"arn:aws:config:us-east-1:{DEFAULT_ACCOUNT}:conformance-pack/pack-a/conformance-pack-")
    pack_id = arn.rsplit("/", 1)[1]

    details = config.describe_conformance_packs()["ConformancePackDetails"]
    assert [d["ConformancePackName"] for d in details] == ["pack-a"]
    assert details[0]["ConformancePackArn"] == arn
    assert details[0]["ConformancePackId"] == pack_id
    assert details[0]["LastUpdateRequestedTime"].year >= 2024

    statuses = config.describe_conformance_pack_status(ConformancePackNames=["pack-a", "missing"])
    [status] = statuses["ConformancePackStatusDetails"]
    assert status["ConformancePackState"] == "CREATE_COMPLETE"
    assert status["StackArn"].startswith("arn:aws:cloudformation:us-east-1:")

    rules = config.describe_config_rules()["ConfigRules"]
    names = sorted(r["ConfigRuleName"] for r in rules)
    assert names == sorted(f"{n}-{pack_id}" for n in ["s3-versioning", "iam-password-policy", "root-account-mfa"])
    iam = next(r for r in rules if r["ConfigRuleName"].startswith("iam-password-policy"))
    assert json.loads(iam["InputParameters"]) == {"MinimumPasswordLength": "14"}
    assert iam["CreatedBy"] == "config-conforms.amazonaws.com"
    one = config.describe_config_rules(ConfigRuleNames=[iam["ConfigRuleName"]])["ConfigRules"]
    assert [r["ConfigRuleArn"] for r in one] == [iam["ConfigRuleArn"]]

    # An update keeps the ARN.
    with_parameter = json.loads(THREE_RULES)
    with_parameter["Parameters"] = {"p": {"Type": "String"}}
    assert put_pack(config, "pack-a", json.dumps(with_parameter), ConformancePackInputParameters=[
        {"ParameterName": "p", "ParameterValue": "v"}])["ConformancePackArn"] == arn
    [detail] = config.describe_conformance_packs(ConformancePackNames=["pack-a"])["ConformancePackDetails"]
    assert detail["ConformancePackInputParameters"] == [{"ParameterName": "p", "ParameterValue": "v"}]

    config.delete_conformance_pack(ConformancePackName="pack-a")
    assert config.describe_conformance_packs()["ConformancePackDetails"] == []
    assert config.describe_conformance_pack_status(ConformancePackNames=["pack-a"])["ConformancePackStatusDetails"] == []
    assert config.describe_config_rules()["ConfigRules"] == []


def test_corpus_template_and_template_registry(server, config):
    body = (CORPUS / CORPUS_TEMPLATE).read_text()
    put_pack(config, "eks", body)
    rules = config.describe_config_rules()["ConfigRules"]
    assert rules and all(r["ConfigRuleName"].endswith(tuple(
        d["ConformancePackId"] for d in config.describe_conformance_packs()["ConformancePackDetails"])) for r in rules)

    import requests
    registered = requests.post(server.url, data=json.dumps({"TemplateS3Uri": "s3://bucket/three.json",
                                                             "TemplateBody": THREE_RULES}),
                               headers={"X-Amz-Target": "ConformAdmin.PutTemplate",
                                        "Content-Type": "application/x-amz-json-1.1"})
    assert registered.status_code == 200, registered.text
    config.put_conformance_pack(ConformancePackName="from-s3", TemplateS3Uri="s3://bucket/three.json")
    ssm = requests.post(server.url, data=json.dumps({"DocumentName": "three-rules", "TemplateBody": THREE_RULES}),
                        headers={"X-Amz-Target": "ConformAdmin.PutTemplate"})
    assert ssm.status_code == 200 and ssm.json() == {"DocumentVersion": "1"}
    config.put_conformance_pack(ConformancePackName="from-ssm",
                                TemplateSSMDocumentDetails={"DocumentName": "three-rules"})
    [detail] = config.describe_conformance_packs(ConformancePackNames=["from-ssm"])["ConformancePackDetails"]
    assert detail["TemplateSSMDocumentDetails"]["DocumentName"] == "three-rules"


def test_user_rules(config):
    rule = {"ConfigRuleName": "my-rule", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}
    config.put_config_rule(ConfigRule=rule)
    [got] = config.describe_config_rules(ConfigRuleNames=["my-rule"])["ConfigRules"]
    assert got["Source"]["SourceIdentifier"] == "S3_BUCKET_VERSIONING_ENABLED"
    assert got["ConfigRuleArn"].startswith(f"arn:aws:config:us-east-1:{DEFAULT_ACCOUNT}:config-rule/config-rule-")
    config.delete_config_rule(ConfigRuleName="my-rule")
    expect_error("NoSuchConfigRuleException", config.describe_config_rules, ConfigRuleNames=["my-rule"])


def test_partitions_by_account_and_region(server):
    a = server.client(account="111111111111", region="eu-west-1")
    b = server.client(account="222222222222", region="eu-west-1")
    c = server.client(account="111111111111", region="us-west-2")
    arn = put_pack(a, "shared-name")["ConformancePackArn"]
    assert ":eu-west-1:111111111111:" in arn
    assert b.describe_conformance_packs()["ConformancePackDetails"] == []
    assert c.describe_conformance_packs()["ConformancePackDetails"] == []
    put_pack(b, "shared-name")


def test_modeled_errors(server, config):
    put_pack(config, "pack-a")
    pack_rule = config.describe_config_rules()["ConfigRules"][0]["ConfigRuleName"]
    expect_error("NoSuchConformancePackException", config.describe_conformance_packs, ConformancePackNames=["pack-a", "nope"])
    expect_error("NoSuchConformancePackException", config.delete_conformance_pack, ConformancePackName="nope")
    expect_error("NoSuchConfigRuleException", config.describe_config_rules, ConfigRuleNames=["nope"])
    expect_error("NoSuchConfigRuleException", config.delete_config_rule, ConfigRuleName="nope")
    expect_error("ConformancePackTemplateValidationException", put_pack, config, "bad", '{"Resources": {}}')
    expect_error("ConformancePackTemplateValidationException", put_pack, config, "bad", "not: [valid")
    expect_error("InsufficientPermissionsException", config.put_conformance_pack,
                 ConformancePackName="s3", TemplateS3Uri="s3://unknown/template.yaml")
    expect_error("InvalidParameterValueException", config.put_conformance_pack, ConformancePackName="none")
    expect_error("InvalidParameterValueException", config.put_conformance_pack, ConformancePackName="both",
                 TemplateBody=THREE_RULES, TemplateSSMDocumentDetails={"DocumentName": "doc"})
    expect_error("AccessDeniedException", config.delete_config_rule, ConfigRuleName=pack_rule)
    expect_error("AccessDeniedException", config.put_config_rule, ConfigRule={
        "ConfigRuleName": pack_rule, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    expect_error("InvalidParameterValueException", config.put_config_rule, ConfigRule={
        "ConfigRuleName": "r", "CreatedBy": "me", "Source": {"Owner": "AWS", "SourceIdentifier": "X"}})


def test_pack_limit(config):
    for i in range(50):
        put_pack(config, f"pack-{i:02d}")
    error = expect_error("MaxNumberOfConformancePacksExceededException", put_pack, config, "pack-50")
    assert "50" in error.response["Error"]["Message"]
    put_pack(config, "pack-00")  # updates are not creates


def test_rule_limit(config):
    for i in range(1000):
        config.put_config_rule(ConfigRule={
            "ConfigRuleName": f"rule-{i:04d}", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    expect_error("MaxNumberOfConfigRulesExceededException", config.put_config_rule, ConfigRule={
        "ConfigRuleName": "one-too-many", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})


@pytest.mark.parametrize("call, kwargs, code", [
    ("put_conformance_pack", {"ConformancePackName": "a_b", "TemplateBody": THREE_RULES}, "ValidationException"),
    ("put_conformance_pack", {"ConformancePackName": "p" * 257, "TemplateBody": THREE_RULES}, "ValidationException"),
    ("put_conformance_pack", {"ConformancePackName": "p", "TemplateS3Uri": "https://x"}, "ValidationException"),
    ("put_conformance_pack", {"ConformancePackName": "p", "TemplateBody": "x" * 51201}, "ValidationException"),
    ("put_conformance_pack", {"ConformancePackName": "p", "TemplateBody": THREE_RULES,
                              "ConformancePackInputParameters": [{"ParameterName": f"n{i}", "ParameterValue": "v"} for i in range(61)]},
     "ValidationException"),
    ("delete_conformance_pack", {"ConformancePackName": "1abc"}, "ValidationException"),
    ("describe_conformance_packs", {"ConformancePackNames": ["n"] * 26}, "ValidationException"),
    ("describe_conformance_packs", {"Limit": 21}, "InvalidLimitException"),
    ("describe_conformance_pack_status", {"Limit": 1000}, "InvalidLimitException"),
    ("describe_conformance_packs", {"NextToken": "forged-token"}, "InvalidNextTokenException"),
    ("describe_conformance_pack_status", {"NextToken": "forged-token"}, "InvalidNextTokenException"),
    ("describe_config_rules", {"NextToken": "forged-token"}, "InvalidNextTokenException"),
    ("describe_config_rules", {"Filters": {"EvaluationMode": "SOMETIMES"}}, "ValidationException"),
    ("delete_config_rule", {"ConfigRuleName": " "}, "ValidationException"),
])
def test_constraint_errors(config, call, kwargs, code):
    error = expect_error(code, getattr(config, call), **kwargs)
    if code == "ValidationException":
        assert "validation error" in error.response["Error"]["Message"]


def test_next_token_of_another_operation_is_refused(config):
    for i in range(3):
        put_pack(config, f"p{i}")
    token = config.describe_conformance_packs(Limit=1)["NextToken"]
    expect_error("InvalidNextTokenException", config.describe_conformance_pack_status, NextToken=token)
    other = config  # same partition, right operation: accepted
    assert other.describe_conformance_packs(Limit=1, NextToken=token)["ConformancePackDetails"]


@pytest.mark.parametrize("page_size", [1, 2, 3, 20])
def test_paginators(config, page_size):
    names = [f"pack-{c}" for c in "gfedcba"]
    for name in names:
        put_pack(config, name)
    for operation, key in [("describe_conformance_packs", "ConformancePackDetails"),
                           ("describe_conformance_pack_status", "ConformancePackStatusDetails")]:
        pages = list(config.get_paginator(operation).paginate(PaginationConfig={"PageSize": page_size}))
        assert len(pages) == -(-len(names) // page_size)
        assert all(len(p[key]) <= page_size for p in pages)
        assert "NextToken" not in pages[-1]
        assert [d["ConformancePackName"] for p in pages for d in p[key]] == sorted(names)


def test_config_rules_paginator(config):
    names = [f"rule-{i:02d}" for i in range(30)]
    for name in names:
        config.put_config_rule(ConfigRule={"ConfigRuleName": name,
                                           "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    pages = list(config.get_paginator("describe_config_rules").paginate())
    assert len(pages) == 2
    assert [r["ConfigRuleName"] for p in pages for r in p["ConfigRules"]] == names


def test_wire_format(server, config):
    """Raw answers: AWS JSON 1.1 headers, epoch-second timestamps with at most millisecond digits."""
    import re
    import requests
    put_pack(config, "pack-a")
    headers = {"X-Amz-Target": "StarlingDoveService.DescribeConformancePackStatus",
               "Content-Type": "application/x-amz-json-1.1"}
    response = requests.post(server.url, data="{}", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        response.headers["x-amzn-RequestId"])
    stamps = re.findall(r'"LastUpdate(?:Requested|Completed)Time":([^,}]+)', response.text)
    assert len(stamps) == 2
    for stamp in stamps:
        assert re.fullmatch(r"\d{10}(\.\d{1,3})?", stamp), stamp
    assert "null" not in response.text
    empty = requests.post(server.url, data='{"ConformancePackName": "pack-a"}',
                          headers={**headers, "X-Amz-Target": "StarlingDoveService.DeleteConformancePack"})
    assert empty.status_code == 200 and empty.text == "{}"

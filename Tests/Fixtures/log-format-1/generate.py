"""How Tests/Fixtures/log-format-1 was made, against `conform serve` built from commit cf30ee5
(segment format 1, batch format 1, event types at schema version 1, snapshot file version 1).

    conform serve --port 0 --data-dir DIR --durability every-batch   # then: python3 generate.py PORT 1
    (SIGTERM: the close writes snapshot-...15.snap)
    conform serve --port 0 --data-dir DIR --durability every-batch   # then: python3 generate.py PORT 2
    (SIGKILL: sequences 16...20 stay after the snapshot, as a tail to replay)

The fixture keeps events/00000000000000000001.seg and snapshots/snapshot-00000000000000000015.snap.
Its state: 111111111111/us-east-1 holds pack-one (rules r1, r5) and user rules user-rule and
user-rule-2; 222222222222/eu-west-1 holds pack-b (rb1...rb3) and pack-b2 (rb4).
"""

import json
import sys

import boto3
from botocore.config import Config

port, phase = int(sys.argv[1]), sys.argv[2]


def client(account, region="us-east-1"):
    return boto3.client("config", endpoint_url=f"http://127.0.0.1:{port}", region_name=region,
                        aws_access_key_id=account, aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1}))


def template(rules, parameters=None):
    body = {"Resources": {f"R{i}": {"Type": "AWS::Config::ConfigRule", "Properties": {
        "ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}
        for i, name in enumerate(rules)}}
    if parameters:
        body["Parameters"] = {name: {"Type": "String"} for name in parameters}
    return json.dumps(body)


def rule(name, identifier):
    return {"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": identifier}}


a = client("111111111111")
b = client("222222222222", "eu-west-1")
if phase == "1":
    a.put_conformance_pack(ConformancePackName="pack-one", TemplateBody=template(["r1", "r2"]))
    a.put_conformance_pack(ConformancePackName="pack-two", TemplateBody=template(["r3"], ["P"]),
                           ConformancePackInputParameters=[{"ParameterName": "P", "ParameterValue": "v"}])
    a.put_conformance_pack(ConformancePackName="pack-gone", TemplateBody=template(["r4"]))
    a.put_config_rule(ConfigRule=rule("user-rule", "IAM_PASSWORD_POLICY"))
    a.put_config_rule(ConfigRule=rule("user-rule-gone", "IAM_PASSWORD_POLICY"))
    a.delete_conformance_pack(ConformancePackName="pack-gone")
    a.delete_config_rule(ConfigRuleName="user-rule-gone")
    b.put_conformance_pack(ConformancePackName="pack-b", TemplateBody=template(["rb1", "rb2", "rb3"]))
    a.put_conformance_pack(ConformancePackName="pack-one", TemplateBody=template(["r1", "r5"]))
else:
    b.put_conformance_pack(ConformancePackName="pack-b2", TemplateBody=template(["rb4"]))
    a.delete_conformance_pack(ConformancePackName="pack-two")
    a.put_config_rule(ConfigRule=rule("user-rule-2", "ROOT_ACCOUNT_MFA_ENABLED"))
print("ok")

# expected.json (every answer of the pack and rule operations for this log) was written later, by
# `python3 ../log-format-2/generate.py PORT 3` against a server on a copy of this fixture, built
# from commit 6c7166c; Tests/e2e/test_fixture_logs.py checks that every build still gives it.

import boto3, json, sys
from botocore.config import Config
port = int(sys.argv[1]); phase = sys.argv[2]
def c(acct, region="us-east-1"):
    return boto3.client("config", endpoint_url=f"http://127.0.0.1:{port}", region_name=region,
        aws_access_key_id=acct, aws_secret_access_key="x", config=Config(retries={"total_max_attempts":1}))
def tpl(rules):
    return json.dumps({"Resources": {f"R{i}": {"Type": "AWS::Config::ConfigRule", "Properties": {
        "ConfigRuleName": n, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}} for i, n in enumerate(rules)}})
a = c("111111111111"); b = c("222222222222", "eu-west-1")
if phase == "1":
    a.put_conformance_pack(ConformancePackName="pack-one", TemplateBody=tpl(["r1", "r2"]))
    a.put_conformance_pack(ConformancePackName="pack-two", TemplateBody=tpl(["r3"]), TemplateBody2=None) if False else a.put_conformance_pack(ConformancePackName="pack-two", TemplateBody=json.dumps({"Parameters":{"P":{"Type":"String"}}, **json.loads(tpl(["r3"]))}), ConformancePackInputParameters=[{"ParameterName":"P","ParameterValue":"v"}])
    a.put_conformance_pack(ConformancePackName="pack-gone", TemplateBody=tpl(["r4"]))
    a.put_config_rule(ConfigRule={"ConfigRuleName": "user-rule", "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}})
    a.put_config_rule(ConfigRule={"ConfigRuleName": "user-rule-gone", "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}})
    a.delete_conformance_pack(ConformancePackName="pack-gone")
    a.delete_config_rule(ConfigRuleName="user-rule-gone")
    b.put_conformance_pack(ConformancePackName="pack-b", TemplateBody=tpl(["rb1", "rb2", "rb3"]))
    a.put_conformance_pack(ConformancePackName="pack-one", TemplateBody=tpl(["r1", "r5"]))
else:
    b.put_conformance_pack(ConformancePackName="pack-b2", TemplateBody=tpl(["rb4"]))
    a.delete_conformance_pack(ConformancePackName="pack-two")
    a.put_config_rule(ConfigRule={"ConfigRuleName": "user-rule-2", "Source": {"Owner": "AWS", "SourceIdentifier": "ROOT_ACCOUNT_MFA_ENABLED"}})
print("ok")

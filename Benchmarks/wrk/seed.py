"""Seeds a conform server for run.sh's query scenarios (plain AWS JSON POSTs, signatures unverified).

Packs bench-1 … bench-5 (one rule each), a standalone rule bench-rule, and 100 evaluations on every
rule. Prints shell assignments for the per-rule names the scenarios need.
"""
import json
import sys
import urllib.request

url = sys.argv[1]
AUTH = ("AWS4-HMAC-SHA256 Credential=123456789012/20240101/us-east-1/config/aws4_request, "
        "SignedHeaders=host, Signature=" + "0" * 64)


def call(target, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": f"StarlingDoveService.{target}", "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Date": "20240101T000000Z", "Authorization": AUTH})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


template = json.dumps({"Resources": {"R1": {"Type": "AWS::Config::ConfigRule", "Properties": {
    "ConfigRuleName": "s3-versioning", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}}})
for i in range(1, 6):
    call("PutConformancePack", {"ConformancePackName": f"bench-{i}", "TemplateBody": template})
call("PutConfigRule", {"ConfigRule": {"ConfigRuleName": "bench-rule",
                                      "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}})
pack_rule = call("DescribeConformancePackCompliance", {"ConformancePackName": "bench-1"})[
    "ConformancePackRuleComplianceList"][0]["ConfigRuleName"]
rules = ["bench-rule"] + [call("DescribeConformancePackCompliance", {"ConformancePackName": f"bench-{i}"})[
    "ConformancePackRuleComplianceList"][0]["ConfigRuleName"] for i in range(1, 6)]
for rule in rules:
    evaluations = [{"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": f"bucket-{n}",
                    "ComplianceType": ["COMPLIANT", "NON_COMPLIANT"][n % 2], "OrderingTimestamp": 1704164645}
                   for n in range(100)]
    call("PutEvaluations", {"ResultToken": rule, "Evaluations": evaluations})
print(f"pack_rule={pack_rule}")

"""Organization conformance packs end to end through boto3: every caller kind, member packs,
statuses and their paginators, exclusions, joins and leaves, deployment faults, the deployment
delay, and the organization file across restarts."""

import json
import time

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import THREE_RULES

MANAGEMENT, ADMIN, MEMBER, OUTSIDER, JOINER = "100000000000", "200000000000", "300000000000", "900000000000", "400000000000"
ORGANIZATION = {"ManagementAccountId": MANAGEMENT, "MemberAccountIds": [ADMIN, MEMBER],
                "DelegatedAdministratorAccountIds": [ADMIN]}


def error(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return excinfo.value.response["Error"]


def admin(server, target, body):
    answer = requests.post(server.url, data=json.dumps(body), headers={
        "X-Amz-Target": f"ConformAdmin.{target}", "Content-Type": "application/x-amz-json-1.1"})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def org_server(make_server, tmp_path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(ORGANIZATION))
    server = make_server("--organization", str(path))
    server.org_file = path
    return server


def detailed(client, name, **filters):
    pages = client.get_paginator("get_organization_conformance_pack_detailed_status").paginate(
        OrganizationConformancePackName=name, **({"Filters": filters} if filters else {}),
        PaginationConfig={"PageSize": 2})
    return [row for page in pages for row in page["OrganizationConformancePackDetailedStatuses"]]


def status(client, name):
    return client.describe_organization_conformance_pack_statuses(
        OrganizationConformancePackNames=[name])["OrganizationConformancePackStatuses"][0]


def test_callers_and_member_packs(org_server):
    management, delegated = org_server.client(MANAGEMENT), org_server.client(ADMIN)
    member, outsider = org_server.client(MEMBER), org_server.client(OUTSIDER)
    for client in (member, outsider):
        err = error(client.put_organization_conformance_pack, OrganizationConformancePackName="P", TemplateBody=THREE_RULES)
        assert err["Code"] == "OrganizationAccessDeniedException"
        assert error(client.describe_organization_conformance_packs)["Code"] == "OrganizationAccessDeniedException"
    assert "only be made by accounts in an AWS Organization" in error(
        outsider.describe_organization_conformance_pack_statuses)["Message"]

    arn = management.put_organization_conformance_pack(
        OrganizationConformancePackName="Baseline", TemplateBody=THREE_RULES, DeliveryS3Bucket="awsconfigconforms-logs",
    )["OrganizationConformancePackArn"]
    assert arn.startswith(f"arn:aws:config:us-east-1:{MANAGEMENT}:organization-conformance-pack/Baseline-")
    delegated.put_organization_conformance_pack(OrganizationConformancePackName="Theirs", TemplateBody=THREE_RULES,
                                                ExcludedAccounts=[MEMBER])

    # Each creator sees its own packs only.
    packs = management.describe_organization_conformance_packs()["OrganizationConformancePacks"]
    assert [p["OrganizationConformancePackName"] for p in packs] == ["Baseline"]
    assert packs[0]["ExcludedAccounts"] == [] and packs[0]["DeliveryS3Bucket"] == "awsconfigconforms-logs"
    assert packs[0]["ConformancePackInputParameters"] == []
    assert error(management.describe_organization_conformance_packs,
                 OrganizationConformancePackNames=["Theirs"])["Code"] == "NoSuchOrganizationConformancePackException"
    assert status(management, "Baseline")["Status"] == "CREATE_SUCCESSFUL"

    rows = detailed(management, "Baseline")
    member_pack = "OrgConformsPack-Baseline-" + arn[-8:]
    assert [(r["AccountId"], r["ConformancePackName"], r["Status"]) for r in rows] == [
        (account, member_pack, "CREATE_SUCCESSFUL") for account in (MANAGEMENT, ADMIN, MEMBER)]

    # The member sees an ordinary pack with three rules, and cannot change it.
    assert [p["ConformancePackName"] for p in member.describe_conformance_packs()["ConformancePackDetails"]] == [member_pack]
    rules = member.describe_config_rules()["ConfigRules"]
    assert len(rules) == 3
    assert error(member.delete_conformance_pack, ConformancePackName=member_pack)["Code"] == "AccessDeniedException"
    assert error(member.delete_config_rule, ConfigRuleName=rules[0]["ConfigRuleName"])["Code"] == "AccessDeniedException"

    # Evaluations of a member pack's rules roll up like any pack's.
    rule = next(r["ConfigRuleName"] for r in rules if r["ConfigRuleName"].startswith("s3-versioning"))
    member.put_evaluations(ResultToken=rule, Evaluations=[{
        "ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b", "ComplianceType": "NON_COMPLIANT",
        "OrderingTimestamp": 1704164645}])
    summary = member.get_conformance_pack_compliance_summary(ConformancePackNames=[member_pack])
    assert summary["ConformancePackComplianceSummaryList"][0]["ConformancePackComplianceStatus"] == "NON_COMPLIANT"

    # Template errors and bad buckets are refused.
    assert error(management.put_organization_conformance_pack, OrganizationConformancePackName="Bad",
                 TemplateBody="Resources: {}")["Code"] == "OrganizationConformancePackTemplateValidationException"
    assert error(management.put_organization_conformance_pack, OrganizationConformancePackName="Bad",
                 TemplateBody=THREE_RULES, DeliveryS3Bucket="my-bucket")["Code"] == "ValidationException"

    management.delete_organization_conformance_pack(OrganizationConformancePackName="Baseline")
    assert error(management.delete_organization_conformance_pack,
                 OrganizationConformancePackName="Baseline")["Code"] == "NoSuchOrganizationConformancePackException"
    assert member.describe_conformance_packs()["ConformancePackDetails"] == []


def test_exclusions_joins_leaves_and_the_file(org_server):
    management = org_server.client(MANAGEMENT)
    management.put_organization_conformance_pack(
        OrganizationConformancePackName="Org", TemplateBody=THREE_RULES, ExcludedAccounts=[ADMIN])
    assert [r["AccountId"] for r in detailed(management, "Org")] == [MANAGEMENT, MEMBER]
    assert org_server.client(ADMIN).describe_conformance_packs()["ConformancePackDetails"] == []

    # A joiner gets the pack; a leaver loses it; DescribeOrganization reads the change back.
    changed = dict(ORGANIZATION, MemberAccountIds=[ADMIN, JOINER])
    assert admin(org_server, "PutOrganization", changed) == {"Changed": True}
    assert admin(org_server, "DescribeOrganization", {})["MemberAccountIds"] == [ADMIN, JOINER]
    assert [(r["AccountId"], r["Status"]) for r in detailed(management, "Org")] == [
        (MANAGEMENT, "CREATE_SUCCESSFUL"), (JOINER, "CREATE_SUCCESSFUL")]
    assert len(org_server.client(JOINER).describe_conformance_packs()["ConformancePackDetails"]) == 1
    assert org_server.client(MEMBER).describe_conformance_packs()["ConformancePackDetails"] == []

    # Un-excluding creates; the rest update.
    management.put_organization_conformance_pack(OrganizationConformancePackName="Org", TemplateBody=THREE_RULES)
    assert [(r["AccountId"], r["Status"]) for r in detailed(management, "Org")] == [
        (MANAGEMENT, "UPDATE_SUCCESSFUL"), (ADMIN, "CREATE_SUCCESSFUL"), (JOINER, "UPDATE_SUCCESSFUL")]
    assert [r["AccountId"] for r in detailed(management, "Org", Status="CREATE_SUCCESSFUL")] == [ADMIN]
    assert [r["AccountId"] for r in detailed(management, "Org", AccountId=JOINER)] == [JOINER]

    # A restart with the file: the file wins over the recorded change.
    org_server.restart()
    assert admin(org_server, "DescribeOrganization", {})["MemberAccountIds"] == [ADMIN, MEMBER]
    assert [r["AccountId"] for r in detailed(org_server.client(MANAGEMENT), "Org")] == [MANAGEMENT, ADMIN, MEMBER]
    # Without the file the recorded organization stands.
    org_server.extra = []
    assert admin(org_server.restart(), "PutOrganization", changed) == {"Changed": True}
    org_server.restart()
    assert admin(org_server, "DescribeOrganization", {})["MemberAccountIds"] == [ADMIN, JOINER]


def test_deployment_faults(org_server):
    management = org_server.client(MANAGEMENT)
    assert admin(org_server, "PutDeploymentFault", {
        "OrganizationConformancePackName": "Faulty", "AccountId": MEMBER, "Operation": "CREATE", "Count": 1,
        "ErrorCode": "NoConfigurationRecorder", "ErrorMessage": "no recorder in this account"}) == {}
    management.put_organization_conformance_pack(OrganizationConformancePackName="Faulty", TemplateBody=THREE_RULES)
    failed = detailed(management, "Faulty", Status="CREATE_FAILED")
    assert [(r["AccountId"], r["ErrorCode"], r["ErrorMessage"]) for r in failed] == [
        (MEMBER, "NoConfigurationRecorder", "no recorder in this account")]
    summary = status(management, "Faulty")
    assert summary["Status"] == "CREATE_FAILED" and summary["ErrorCode"] == "NoConfigurationRecorder"

    # Used up: the next Put succeeds everywhere.
    management.put_organization_conformance_pack(OrganizationConformancePackName="Faulty", TemplateBody=THREE_RULES)
    assert status(management, "Faulty")["Status"] == "UPDATE_SUCCESSFUL"

    admin(org_server, "PutDeploymentFault", {
        "OrganizationConformancePackName": "Faulty", "AccountId": ADMIN, "Operation": "DELETE", "Count": 3,
        "ErrorCode": "AccessDenied", "ErrorMessage": "an SCP denies the deletion"})
    management.delete_organization_conformance_pack(OrganizationConformancePackName="Faulty")
    assert status(management, "Faulty")["Status"] == "DELETE_FAILED"
    assert [r["Status"] for r in detailed(management, "Faulty", AccountId=ADMIN)] == ["DELETE_FAILED"]
    assert admin(org_server, "DeleteDeploymentFault", {
        "OrganizationConformancePackName": "Faulty", "AccountId": ADMIN, "Operation": "DELETE"}) == {"Deleted": True}
    management.delete_organization_conformance_pack(OrganizationConformancePackName="Faulty")
    assert management.describe_organization_conformance_pack_statuses()["OrganizationConformancePackStatuses"] == []

    bad = requests.post(org_server.url, data=json.dumps({"OrganizationConformancePackName": "x", "AccountId": "1",
                                                          "ErrorCode": "E", "ErrorMessage": "m"}),
                        headers={"X-Amz-Target": "ConformAdmin.PutDeploymentFault"})
    assert bad.status_code == 400 and bad.json()["__type"] == "ValidationException"


def test_deployment_delay(make_server, tmp_path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(ORGANIZATION))
    server = make_server("--organization", str(path), "--deployment-delay", "1s")
    management = server.client(MANAGEMENT)
    management.put_organization_conformance_pack(OrganizationConformancePackName="Slow", TemplateBody=THREE_RULES)
    assert status(management, "Slow")["Status"] == "CREATE_IN_PROGRESS"
    assert {r["Status"] for r in detailed(management, "Slow")} == {"CREATE_IN_PROGRESS"}
    assert error(management.delete_organization_conformance_pack,
                 OrganizationConformancePackName="Slow")["Code"] == "ResourceInUseException"
    time.sleep(1.2)
    assert status(management, "Slow")["Status"] == "CREATE_SUCCESSFUL"
    assert {r["Status"] for r in detailed(management, "Slow")} == {"CREATE_SUCCESSFUL"}


def test_many_packs_paginate(org_server):
    management = org_server.client(MANAGEMENT)
    for i in range(5):
        management.put_organization_conformance_pack(OrganizationConformancePackName=f"P{i}", TemplateBody=THREE_RULES)
    for operation, key in [("describe_organization_conformance_packs", "OrganizationConformancePacks"),
                           ("describe_organization_conformance_pack_statuses", "OrganizationConformancePackStatuses")]:
        pages = management.get_paginator(operation).paginate(PaginationConfig={"PageSize": 2})
        names = [p["OrganizationConformancePackName"] for page in pages for p in page[key]]
        assert names == [f"P{i}" for i in range(5)]

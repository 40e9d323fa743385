"""Signature verification with --credentials."""

import json

import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import put_pack

KEY = {"AccessKeyId": "AKIAE2ETESTKEY", "SecretAccessKey": "s3cr3t/with+chars", "AccountId": "777788889999"}


@pytest.fixture
def verifying(make_server, tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps([KEY]))
    return make_server("--credentials", str(path))


def code_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_correct_signature_passes_and_names_the_account(verifying):
    client = verifying.client(account=KEY["AccessKeyId"], secret=KEY["SecretAccessKey"], region="eu-north-1")
    arn = put_pack(client, "signed")["ConformancePackArn"]
    assert ":eu-north-1:777788889999:" in arn
    assert client.describe_conformance_packs()["ConformancePackDetails"][0]["ConformancePackName"] == "signed"


def test_wrong_signatures_are_refused(verifying):
    wrong_secret = verifying.client(account=KEY["AccessKeyId"], secret="not-the-secret")
    assert code_of(wrong_secret.describe_conformance_packs) == ("InvalidSignatureException", 403)
    unknown = verifying.client(account="AKIAUNKNOWN", secret="x")
    assert code_of(unknown.describe_conformance_packs) == ("UnrecognizedClientException", 403)
    unsigned = verifying.client(signature_version=UNSIGNED)
    assert code_of(unsigned.describe_conformance_packs) == ("MissingAuthenticationTokenException", 403)


def test_tampered_body_is_refused(verifying):
    """Replays a correctly signed request with another body."""
    client = verifying.client(account=KEY["AccessKeyId"], secret=KEY["SecretAccessKey"])
    captured = {}

    def capture(request, **_):
        captured["headers"] = dict(request.headers)
    client.meta.events.register("before-send.config.DescribeConformancePacks", capture)
    client.describe_conformance_packs()
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in captured["headers"].items()}
    replay = requests.post(verifying.url, data=b'{"Limit": 1}', headers=headers)
    assert replay.status_code == 403
    assert replay.json()["__type"] == "InvalidSignatureException"


def test_without_credentials_the_scope_decides(server):
    client = server.client(account="135792468013", region="sa-east-1", secret="anything")
    assert ":sa-east-1:135792468013:" in put_pack(client, "unverified")["ConformancePackArn"]
    other = server.client(account="AKIANOTANACCOUNT", region="sa-east-1")
    assert ":sa-east-1:123456789012:" in put_pack(other, "default-account")["ConformancePackArn"]

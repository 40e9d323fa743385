"""`conform serve` flags: bad values fail fast with a one-line reason; good files are accepted."""

import json
import subprocess

import pytest

from conftest import conform_bin


def serve(tmp_path, *args):
    return subprocess.run([conform_bin(), "serve", "--port", "0", "--data-dir", str(tmp_path / "data"), *args],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("args, reason", [
    (["--durability", "sometimes"], "--durability"),
    (["--durability", "interval=0"], "--durability"),
    (["--port", "70000"], "--port"),
])
def test_bad_flags_exit_non_zero(tmp_path, args, reason):
    result = serve(tmp_path, *args)
    assert result.returncode != 0
    assert reason in result.stderr


@pytest.mark.parametrize("document, reason", [
    ("not json", "not a JSON object"),
    ({"ManagementAccountId": "12345"}, "not 12 digits"),
    ({"ManagementAccountId": "123456789012", "MemberAccountIds": ["111111111111"],
      "DelegatedAdministratorAccountIds": ["222222222222"]}, "must be a member account"),
    ({"ManagementAccountId": "123456789012", "MemberAccountIds": ["111111111111", "111111111111"]}, "twice"),
])
def test_bad_organization_files_are_refused(tmp_path, document, reason):
    path = tmp_path / "org.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    result = serve(tmp_path, "--organization", str(path))
    assert result.returncode != 0
    assert reason in result.stderr


@pytest.mark.parametrize("document, reason", [
    ("[{}]", "not a JSON list"),
    (json.dumps([{"AccessKeyId": "A", "SecretAccessKey": "s", "AccountId": "1"}]), "not 12 digits"),
])
def test_bad_credentials_files_are_refused(tmp_path, document, reason):
    path = tmp_path / "credentials.json"
    path.write_text(document)
    result = serve(tmp_path, "--credentials", str(path))
    assert result.returncode != 0
    assert reason in result.stderr


def test_good_organization_file_is_accepted(make_server, tmp_path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps({"ManagementAccountId": "123456789012", "MemberAccountIds": ["111111111111"],
                                "DelegatedAdministratorAccountIds": ["111111111111"]}))
    server = make_server("--organization", str(path))
    assert server.client().describe_conformance_packs()["ConformancePackDetails"] == []


def test_second_server_on_the_same_directory_is_refused(make_server):
    first = make_server()
    second = subprocess.run([conform_bin(), "serve", "--port", "0", "--data-dir", str(first.data_dir)],
                            capture_output=True, text=True, timeout=30)
    assert second.returncode != 0
    assert second.stderr.strip()


def test_debug_logging_names_each_request(make_server):
    import os
    os.environ["LOG_LEVEL"] = "debug"
    try:
        server = make_server()
    finally:
        del os.environ["LOG_LEVEL"]
    server.client().describe_conformance_packs()
    assert server.stop() == 0
    log = server.stderr()
    assert "aws.operation=DescribeConformancePacks" in log and "http.status=200" in log

"""The AWS CLI, unchanged, against the server through --endpoint-url."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import THREE_RULES

pytestmark = pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")


def aws(server, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="210987654321", AWS_SECRET_ACCESS_KEY="dummy",
               AWS_DEFAULT_REGION="eu-west-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    result = subprocess.run(["aws", "configservice", *args, "--endpoint-url", server.url, "--output", "json"],
                            env=env, capture_output=True, text=True, timeout=60)
    return result


def test_cli_puts_and_describes_a_pack(server, tmp_path):
    template = tmp_path / "template.json"
    template.write_text(THREE_RULES)
    put = aws(server, "put-conformance-pack", "--conformance-pack-name", "cli-pack",
              "--template-body", f"file://{template}")
    assert put.returncode == 0, put.stderr
    arn = json.loads(put.stdout)["ConformancePackArn"]
    assert ":eu-west-1:210987654321:conformance-pack/cli-pack/" in arn

    described = aws(server, "describe-conformance-packs")
    assert described.returncode == 0, described.stderr
    assert [d["ConformancePackName"] for d in json.loads(described.stdout)["ConformancePackDetails"]] == ["cli-pack"]

    status = aws(server, "describe-conformance-pack-status", "--conformance-pack-names", "cli-pack")
    assert json.loads(status.stdout)["ConformancePackStatusDetails"][0]["ConformancePackState"] == "CREATE_COMPLETE"

    missing = aws(server, "delete-conformance-pack", "--conformance-pack-name", "nope")
    assert missing.returncode != 0 and "NoSuchConformancePackException" in missing.stderr

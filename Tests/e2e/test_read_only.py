"""`conform serve --at`: a read-only view of the log as it stood at a sequence or a time."""

import datetime
import time

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import THREE_RULES, Server, put_pack


def names(client):
    return [d["ConformancePackName"] for d in client.describe_conformance_packs()["ConformancePackDetails"]]


def test_view_at_a_time_and_beside_the_writer(make_server, tmp_path):
    writer = make_server(durability="every-batch")
    client = writer.client()
    put_pack(client, "pack-a")
    time.sleep(0.05)
    between = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    time.sleep(0.05)
    put_pack(client, "pack-b")

    # Beside the running writer: the whole log, then the state at `between`.
    latest = Server(writer.data_dir, "--at", "99999999").start()
    then = Server(writer.data_dir, "--at", between).start()
    try:
        assert names(latest.client()) == ["pack-a", "pack-b"]
        assert names(then.client()) == ["pack-a"]
        with pytest.raises(ClientError) as excinfo:
            put_pack(then.client(), "pack-c")
        assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"
        admin = requests.post(then.url, data='{"TemplateS3Uri": "s3://b/k", "TemplateBody": "x"}',
                              headers={"X-Amz-Target": "ConformAdmin.PutTemplate"})
        assert admin.status_code == 400 and admin.json()["__type"] == "AccessDeniedException"
    finally:
        assert latest.stop() == 0
        assert then.stop() == 0
    assert names(client) == ["pack-a", "pack-b"]


def test_view_at_sequence_zero_is_empty(make_server):
    writer = make_server()
    put_pack(writer.client(), "pack-a")
    view = Server(writer.data_dir, "--at", "0").start()
    try:
        assert names(view.client()) == []
    finally:
        view.stop()


def test_bad_at_is_refused(make_server, tmp_path):
    import subprocess
    from conftest import conform_bin
    result = subprocess.run([conform_bin(), "serve", "--port", "0", "--data-dir", str(tmp_path), "--at", "yesterday"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "--at" in result.stderr

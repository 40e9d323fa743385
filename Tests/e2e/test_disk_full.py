"""A full disk, for real: the data directory on a small tmpfs that the test fills up.

While it is full the server stays up and answers reads; each write is refused with an AWS-shaped
ServiceUnavailable whose message says the disk is full; once space is freed writes succeed again
without a restart; and after a restart (clean or SIGKILL) every acknowledged write is there and no
refused one is.
"""

import json
import os
import random
import signal
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import Server


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def big_template(seed: int) -> str:
    """About 10 KB that LZ4 cannot shrink: the batch needs fresh pages, so a full disk refuses it."""
    rng = random.Random(seed)
    resources = {}
    for index in range(40):
        resources[f"R{index}"] = {"Type": "AWS::Config::ConfigRule", "Properties": {
            "ConfigRuleName": f"rule-{index}-{rng.getrandbits(32):08x}",
            "Description": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(250)),
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}
    return json.dumps({"Resources": resources})


def fill(directory) -> "os.PathLike":
    """Writes a file until the file system refuses more; returns its path."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as out:
        for size in (1 << 20, 64 << 10, 4096, 512, 1):
            chunk = b"\0" * size
            try:
                while True:
                    out.write(chunk)
            except OSError:
                continue
    return filler


def pack_names(client):
    return sorted(d["ConformancePackName"]
                  for page in client.get_paginator("describe_conformance_packs").paginate()
                  for d in page["ConformancePackDetails"])


def put(client, name, seed):
    return client.put_conformance_pack(ConformancePackName=name, TemplateBody=big_template(seed))


def assert_refused_disk_full(client, name, seed):
    with pytest.raises(ClientError) as refused:
        put(client, name, seed)
    error = refused.value.response
    assert error["Error"]["Code"] == "ServiceUnavailable", error
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert "full" in error["Error"]["Message"] and "disk" in error["Error"]["Message"], error


def test_disk_full_refuses_writes_keeps_reads_and_recovers_without_restart(small_disk):
    server = Server(small_disk / "data", durability="every-batch")
    server.stderr_path = small_disk.parent / "server.stderr.log"
    server.start()
    try:
        client = server.client()
        put(client, "kept", 1)
        filler = fill(small_disk)

        for index in range(3):
            assert_refused_disk_full(client, f"lost-{index}", 10 + index)
        # Reads go on, and show only what was recorded.
        assert pack_names(client) == ["kept"]
        assert client.describe_conformance_pack_status()["ConformancePackStatusDetails"][0]["ConformancePackState"] == "CREATE_COMPLETE"
        assert server.process.poll() is None

        # Space again: the next write succeeds, no restart.
        os.remove(filler)
        put(client, "after", 2)
        assert pack_names(client) == ["after", "kept"]

        # A clean restart brings back exactly the acknowledged writes.
        server.restart()
        client = server.client()
        assert pack_names(client) == ["after", "kept"]

        # Full again, a refused write, then SIGKILL: the refused write never comes back.
        filler = fill(small_disk)
        assert_refused_disk_full(client, "lost-after-restart", 20)
        server.stop(signal.SIGKILL)
        os.remove(filler)
        server.start()
        assert pack_names(server.client()) == ["after", "kept"]
        assert "full" in server.stderr()
    finally:
        server.kill()

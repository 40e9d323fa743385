"""End-to-end fixtures: the real `conform serve` on a free port with a temporary data directory.

The binary is $CONFORM_BIN when set, else the newest `conform` under the repository's .build*
folders (release or debug).
"""

import glob
import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
# CI clones the repository with shared/ beside it.
CORPUS = REPO.parent / "shared" / "corpus" / "templates"
DEFAULT_ACCOUNT = "123456789012"

THREE_RULES = json.dumps({
    "Resources": {
        "S3Versioning": {"Type": "AWS::Config::ConfigRule", "Properties": {
            "ConfigRuleName": "s3-versioning",
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}},
        "IamPassword": {"Type": "AWS::Config::ConfigRule", "Properties": {
            "ConfigRuleName": "iam-password-policy",
            "InputParameters": {"MinimumPasswordLength": 14},
            "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}}},
        "RootMfa": {"Type": "AWS::Config::ConfigRule", "Properties": {
            "ConfigRuleName": "root-account-mfa",
            "Source": {"Owner": "AWS", "SourceIdentifier": "ROOT_ACCOUNT_MFA_ENABLED"}}},
    }
})


def conform_bin() -> str:
    explicit = os.environ.get("CONFORM_BIN")
    if explicit:
        return explicit
    candidates = [p for p in glob.glob(str(REPO / ".build*" / "*" / "conform")) if os.access(p, os.X_OK)]
    candidates += [p for p in glob.glob(str(REPO / ".build*" / "conform")) if os.access(p, os.X_OK)]
    if not candidates:
        pytest.exit("no conform binary: build it (swift build --product conform) or set CONFORM_BIN", 2)
    return max(candidates, key=os.path.getmtime)


def run_conform(*args, timeout: float = 60, check: bool = False) -> subprocess.CompletedProcess:
    """`conform ARGS...` to completion, its output captured as text."""
    return subprocess.run([conform_bin(), *map(str, args)], capture_output=True, text=True, timeout=timeout, check=check)


class Server:
    """One `conform serve` process; restartable on the same data directory."""

    def __init__(self, data_dir: Path, *extra: str, durability: str = "none"):
        self.data_dir = Path(data_dir)
        self.extra = list(extra)
        self.durability = durability
        self.process = None
        self.port = None
        self.stderr_path = self.data_dir.parent / f"{self.data_dir.name}.stderr.log"

    def start(self, timeout: float = 30.0) -> "Server":
        args = [conform_bin(), "serve", "--port", "0", "--data-dir", str(self.data_dir),
                "--durability", self.durability, *self.extra]
        self._stderr = open(self.stderr_path, "ab")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr)
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                line = self.process.stdout.readline()
                if line.startswith(b"listening on http://"):
                    self.port = int(line.strip().rsplit(b":", 1)[1])
                    return self
            if self.process.poll() is not None:
                break
        self.process.kill()
        raise RuntimeError(f"server did not become ready (last line {line!r}); stderr:\n{self.stderr()}")

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig=signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self._stderr.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> "Server":
        code = self.stop()
        assert code == 0, f"server exited {code}; stderr:\n{self.stderr()}"
        return self.start()

    def client(self, account: str = DEFAULT_ACCOUNT, region: str = "us-east-1", secret: str = "x", **config):
        return boto3.client(
            "config", endpoint_url=self.url, region_name=region,
            aws_access_key_id=account, aws_secret_access_key=secret,
            config=Config(retries={"total_max_attempts": 1}, **config),
        )


@pytest.fixture
def make_server(tmp_path):
    servers = []

    def factory(*extra: str, name: str = "data", durability: str = "none", start: bool = True) -> Server:
        server = Server(tmp_path / name, *extra, durability=durability)
        servers.append(server)
        return server.start() if start else server

    yield factory
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            server.kill()


@pytest.fixture
def server(make_server):
    return make_server()


@pytest.fixture
def config(server):
    return server.client()


def put_pack(client, name: str, template: str = THREE_RULES, **kwargs):
    return client.put_conformance_pack(ConformancePackName=name, TemplateBody=template, **kwargs)

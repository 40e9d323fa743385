"""Logs written by earlier releases (Tests/Fixtures/log-format-*) replay, in this build, to exactly the
packs, statuses and rules they held: a log on a user's disk must outlive upgrades.

Each fixture directory holds the log (events/, snapshots/), the script that wrote it (generate.py) and
expected.json: every answer of the pack and rule operations that the release which wrote it gave.
"""

import json
import shutil

import pytest

from conftest import REPO

FIXTURES = sorted((REPO / "Tests" / "Fixtures").glob("log-format-*"))


def answers(server):
    def clean(answer):
        answer.pop("ResponseMetadata", None)
        return answer

    got = {}
    for partition in ("111111111111/us-east-1", "222222222222/eu-west-1"):
        account, region = partition.split("/")
        client = server.client(account, region)
        got[partition] = {
            "DescribeConformancePacks": clean(client.describe_conformance_packs()),
            "DescribeConformancePackStatus": clean(client.describe_conformance_pack_status()),
            "DescribeConfigRules": clean(client.describe_config_rules()),
        }
    # Timestamps as epoch seconds, exactly as the fixture recorded them.
    return json.loads(json.dumps(got, sort_keys=True, default=lambda d: d.timestamp()))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_fixture_log_replays_to_the_same_answers(fixture, make_server, tmp_path):
    assert len(FIXTURES) >= 2
    data = tmp_path / "data"
    data.mkdir()
    for part in ("events", "snapshots"):
        shutil.copytree(fixture / part, data / part)
    expected = json.loads((fixture / "expected.json").read_text())
    server = make_server(name="data", durability="every-batch")
    assert answers(server) == expected
    # Again after a restart (the close may write a snapshot in this build's format).
    server.restart()
    assert answers(server) == expected

"""Restarts: a clean restart answers exactly as before; after SIGKILL every write that was
answered 200 is still there."""

import signal
import threading
import time

from conftest import THREE_RULES, put_pack


def snapshot(client):
    def strip(response):
        response.pop("ResponseMetadata", None)
        return response
    packs = strip(client.describe_conformance_packs())
    names = [d["ConformancePackName"] for d in packs["ConformancePackDetails"]]
    return {
        "packs": packs,
        "status": strip(client.describe_conformance_pack_status()),
        "rules": [strip(page) for page in client.get_paginator("describe_config_rules").paginate()],
        "named": strip(client.describe_conformance_packs(ConformancePackNames=names[::-1])),
        "page": strip(client.describe_conformance_packs(Limit=1)),
    }


def test_restart_returns_identical_answers(make_server):
    server = make_server(durability="every-batch")
    client = server.client()
    for name in ["pack-a", "pack-b", "pack-c"]:
        put_pack(client, name)
    client.put_config_rule(ConfigRule={"ConfigRuleName": "user-rule",
                                       "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    client.delete_conformance_pack(ConformancePackName="pack-c")
    other = server.client(account="444455556666", region="ap-southeast-2")
    put_pack(other, "elsewhere")
    before = snapshot(client), snapshot(other)

    server.restart()  # SIGTERM must exit 0 (asserted by restart)
    after = snapshot(server.client()), snapshot(server.client(account="444455556666", region="ap-southeast-2"))
    assert after == before
    # The page token issued before the restart still works after it.
    token = before[0]["page"]["NextToken"]  # pack-a, pack-b: two pages
    assert server.client().describe_conformance_packs(Limit=1, NextToken=token)["ConformancePackDetails"]


def test_sigkill_keeps_every_acknowledged_write(make_server):
    server = make_server(durability="every-batch")
    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(index: int):
        client = server.client()
        n = 0
        while not stop.is_set():
            name = f"w{index}-{n}"
            try:
                put_pack(client, name)
                client.delete_conformance_pack(ConformancePackName=name) if n % 7 == 6 else None
            except Exception:
                return  # the server died mid-request: unacknowledged
            with lock:
                acknowledged.append((name, n % 7 == 6))
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    server.stop(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) > 10

    server.start()
    client = server.client()
    present = {d["ConformancePackName"]
               for page in client.get_paginator("describe_conformance_packs").paginate()
               for d in page["ConformancePackDetails"]}
    for name, deleted in acknowledged:
        assert (name not in present) if deleted else (name in present), name

"""The HTTP/1.1 connection handling of `conform serve`'s own NIO pipeline: keep-alive, pipelining,
refused bodies, requests split across many writes, clients that vanish, and graceful shutdown."""

import http.client
import json
import signal
import socket
import time

import pytest

from conftest import put_pack

DESCRIBE = "StarlingDoveService.DescribeConformancePacks"
STATUS = "StarlingDoveService.DescribeConformancePackStatus"


def raw_request(target: str, body: bytes, extra: str = "") -> bytes:
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: {target}\r\n"
            f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {len(body)}\r\n{extra}\r\n")
    return head.encode() + body


def read_response(sock: socket.socket, buffered: bytearray, timeout: float = 10.0):
    """Reads one response (status, lowercased headers, body) from `sock`, keeping what follows in `buffered`."""
    sock.settimeout(timeout)
    while b"\r\n\r\n" not in buffered:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head; got {bytes(buffered)!r}")
        buffered += chunk
    head, _, rest = bytes(buffered).partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a response body")
        rest += chunk
    buffered[:] = rest[length:]
    return status, headers, rest[:length]


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def closed_by_server(sock: socket.socket, timeout: float = 10.0) -> bool:
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_keep_alive_answers_several_requests_on_one_connection(server, config):
    put_pack(config, "kept")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sockets = set()
    for target in [DESCRIBE, STATUS, DESCRIBE, STATUS, DESCRIBE]:
        connection.request("POST", "/", body=b"{}", headers={"X-Amz-Target": target})
        response = connection.getresponse()
        body = json.loads(response.read())
        assert response.status == 200
        assert response.getheader("Connection") is None
        key = "ConformancePackDetails" if target == DESCRIBE else "ConformancePackStatusDetails"
        assert [pack["ConformancePackName"] for pack in body[key]] == ["kept"]
        sockets.add(id(connection.sock))
    assert len(sockets) == 1
    connection.close()


def test_pipelined_requests_are_answered_in_order(server, config):
    put_pack(config, "piped")
    sock = connect(server)
    requests = [raw_request(DESCRIBE, b"{}"), raw_request(STATUS, b"{}"), raw_request("Nope.Nothing", b"{}"),
                raw_request(DESCRIBE, b'{"ConformancePackNames": ["piped"]}')]
    sock.sendall(b"".join(requests))
    buffered = bytearray()
    answers = [read_response(sock, buffered) for _ in requests]
    assert [status for status, _, _ in answers] == [200, 200, 400, 200]
    assert "ConformancePackDetails" in json.loads(answers[0][2])
    assert "ConformancePackStatusDetails" in json.loads(answers[1][2])
    assert json.loads(answers[2][2])["__type"] == "UnknownOperationException"
    assert json.loads(answers[3][2])["ConformancePackDetails"][0]["ConformancePackName"] == "piped"
    assert len({headers["x-amzn-requestid"] for _, headers, _ in answers}) == 4
    sock.close()


def test_body_over_the_limit_is_refused_with_413_and_the_connection_closed(server):
    sock = connect(server)
    body = b"{" + b" " * ((1 << 20) + 10) + b"}"
    sock.sendall(raw_request(DESCRIBE, body) + raw_request(DESCRIBE, b"{}"))
    buffered = bytearray()
    status, headers, answer = read_response(sock, buffered)
    assert status == 413
    assert headers["connection"] == "close"
    assert json.loads(answer)["__type"] == "RequestEntityTooLargeException"
    # The request behind it is not answered: the connection ends.
    assert buffered == bytearray()
    assert closed_by_server(sock)
    sock.close()
    assert server.client().describe_conformance_packs()["ConformancePackDetails"] == []


def test_a_request_split_across_many_small_writes_is_answered(server, config):
    put_pack(config, "split")
    sock = connect(server)
    request = raw_request(DESCRIBE, b'{"ConformancePackNames": ["split"]}')
    for start in range(0, len(request), 3):
        sock.send(request[start:start + 3])
        time.sleep(0.002)
    status, _, answer = read_response(sock, bytearray())
    assert status == 200
    assert json.loads(answer)["ConformancePackDetails"][0]["ConformancePackName"] == "split"
    sock.close()


@pytest.mark.parametrize("cut", ["in the head", "in the body", "awaiting the answer"])
def test_a_client_that_disconnects_mid_request_does_not_hurt_the_server(server, config, cut):
    put_pack(config, "steady")
    for _ in range(20):
        sock = connect(server)
        request = raw_request(STATUS, b'{"ConformancePackNames": ["steady"]}' + b" " * 4000)
        if cut == "in the head":
            sock.sendall(request[:40])
        elif cut == "in the body":
            sock.sendall(request[: len(request) - 1000])
        else:
            sock.sendall(request)
        # An abortive close (RST) is the harshest way to go.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    assert server.process.poll() is None
    assert [p["ConformancePackName"] for p in server.client().describe_conformance_packs()["ConformancePackDetails"]] == ["steady"]


def test_graceful_shutdown_answers_the_request_in_flight_then_exits_0(server, config):
    put_pack(config, "last")
    idle = connect(server)  # an idle keep-alive connection: closed by the shutdown
    sock = connect(server)
    request = raw_request(DESCRIBE, b'{"ConformancePackNames": ["last"]}')
    sock.sendall(request[:-10])  # the request is in flight: its body is not complete yet
    time.sleep(0.2)
    server.process.send_signal(signal.SIGTERM)
    # No new connections once the signal is handled.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            time.sleep(0.05)
        except ConnectionRefusedError:
            break
    else:
        pytest.fail("the server still accepts connections after SIGTERM")
    assert server.process.poll() is None, "exited with a request in flight"
    sock.sendall(request[-10:])
    status, headers, answer = read_response(sock, bytearray())
    assert status == 200
    assert headers["connection"] == "close"
    assert json.loads(answer)["ConformancePackDetails"][0]["ConformancePackName"] == "last"
    assert closed_by_server(sock)
    assert closed_by_server(idle)
    assert server.process.wait(20) == 0
    assert "Stopped; log flushed and closed" in server.stderr()

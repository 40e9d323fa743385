"""Random targets, headers and bodies over raw HTTP: every answer is a 200 or a well-formed 4xx AWS
JSON error, and the server stays up."""

import http.client
import json

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import THREE_RULES

OPERATIONS = ["PutConformancePack", "DeleteConformancePack", "DescribeConformancePacks",
              "DescribeConformancePackStatus", "DescribeConfigRules", "PutConfigRule", "DeleteConfigRule"]
TARGETS = ([f"StarlingDoveService.{op}" for op in OPERATIONS]
           + ["ConformAdmin.PutTemplate", "ConformAdmin.PutOrganization", "StarlingDoveService.", "ConformAdmin."])
MEMBERS = ["ConformancePackName", "ConformancePackNames", "TemplateBody", "TemplateS3Uri", "Limit", "NextToken",
           "ConformancePackInputParameters", "TemplateSSMDocumentDetails", "DocumentName", "DocumentVersion",
           "ConfigRule", "ConfigRuleName", "ConfigRuleNames", "Filters", "Tags", "DeliveryS3Bucket", "Source",
           "Owner", "SourceIdentifier", "ParameterName", "ParameterValue", "EvaluationMode", "Scope"]

ascii_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                         st.text(max_size=30), st.sampled_from(["pack-a", "s3://b/k", THREE_RULES, "", "a_b"]))
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(MEMBERS), st.text(max_size=8)), children, max_size=4)),
    max_leaves=12)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(MEMBERS), json_values, max_size=5).map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
header_names = st.sampled_from(["Authorization", "X-Amz-Date", "Content-Type", "X-Amz-Content-Sha256",
                                "X-Amz-Security-Token", "Expect", "X-Random", "Content-Encoding"])
header_values = st.one_of(
    ascii_text,
    st.sampled_from(["AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/config/aws4_request, SignedHeaders=host, Signature=00",
                     "AWS4-HMAC-SHA256 Credential=123456789012/x/../../aws4_request, SignedHeaders=, Signature=",
                     "application/x-amz-json-1.1", "gzip", "20240101T000000Z"]),
)
requests_ = st.fixed_dictionaries({
    "method": st.sampled_from(["POST"] * 8 + ["GET", "PUT", "DELETE"]),
    "path": st.sampled_from(["/", "/", "/some/path", "/?a=b"]),
    "target": st.one_of(st.none(), st.sampled_from(TARGETS), ascii_text),
    "headers": st.dictionaries(header_names, header_values, max_size=4),
    "body": bodies,
})


def send(port, request):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = dict(request["headers"])
    if request["target"] is not None:
        headers["X-Amz-Target"] = request["target"]
    try:
        connection.request(request["method"], request["path"], body=request["body"], headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def check_answer(status, headers, body):
    lowered = {k.lower(): v for k, v in headers.items()}
    assert status == 200 or 400 <= status < 500, (status, body)
    assert "x-amzn-requestid" in lowered
    assert lowered.get("content-type") == "application/x-amz-json-1.1"
    document = json.loads(body)
    assert isinstance(document, dict)
    if status != 200:
        assert isinstance(document.get("__type"), str) and document["__type"]
        assert isinstance(document.get("message"), str)
        assert lowered.get("x-amzn-errortype") == document["__type"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(request=requests_)
def test_random_requests_get_well_formed_answers(server, request):
    check_answer(*send(server.port, request))


def test_server_survives_fuzzing_and_oversized_bodies(server):
    big = b"{" + b" " * (2 << 20) + b"}"
    status, headers, body = send(server.port, {"method": "POST", "path": "/", "target": "StarlingDoveService.DescribeConformancePacks",
                                               "headers": {}, "body": big})
    assert status == 413
    check_answer(200 if status == 200 else 400, headers, body)
    # Declared too large, with only a little body sent: refused from the header alone.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", "/")
    connection.putheader("X-Amz-Target", "StarlingDoveService.DescribeConformancePacks")
    connection.putheader("Content-Length", str(50 << 20))
    connection.endheaders(b"{}")
    response = connection.getresponse()
    assert response.status == 413
    connection.close()
    # Chunked (no Content-Length): refused once the collected body passes 1 MiB.
    def chunks():
        for _ in range(64):
            yield b" " * 65536
    import requests
    chunked = requests.post(server.url, data=chunks(),
                            headers={"X-Amz-Target": "StarlingDoveService.DescribeConformancePacks"})
    assert chunked.status_code == 413
    assert chunked.json()["__type"] == "RequestEntityTooLargeException"
    # Still serving.
    assert server.client().describe_conformance_packs()["ConformancePackDetails"] is not None
    assert server.process.poll() is None


def test_deeply_nested_bodies_are_serialization_errors(server):
    for target in ["StarlingDoveService.DescribeConformancePacks", "StarlingDoveService.PutConformancePack",
                   "ConformAdmin.PutTemplate"]:
        for body in [b"[" * 500_000, b'{"ConformancePackNames":' + b"[" * 400_000, b'{"a":' * 100_000]:
            status, headers, answer = send(server.port, {"method": "POST", "path": "/", "target": target,
                                                         "headers": {}, "body": body})
            assert status == 400
            check_answer(status, headers, answer)
            assert json.loads(answer)["__type"] == "SerializationException"
    assert server.process.poll() is None

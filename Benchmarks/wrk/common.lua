-- Shared by the wrk scripts: an AWS JSON 1.1 POST and a one-line summary with p50/p99.
local M = {}

function M.setup(target, body)
  wrk.method = "POST"
  wrk.path = "/"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = target
  wrk.headers["X-Amz-Date"] = "20240101T000000Z"
  wrk.headers["Authorization"] =
    "AWS4-HMAC-SHA256 Credential=123456789012/20240101/us-east-1/config/aws4_request, " ..
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
end

function M.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local non2xx = summary.errors.status or 0
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

return M

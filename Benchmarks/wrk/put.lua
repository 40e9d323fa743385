-- PutConformancePack of a 3-rule template. Every request creates a pack: the account (the 12-digit
-- access key id of the credential scope) rotates per request, so the 50-packs-per-account limit
-- never applies and each call decides, logs and applies a creation with three rules.
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.setup("StarlingDoveService.PutConformancePack", "")
done = common.done

local template = '{\\"Resources\\": {' ..
  '\\"R1\\": {\\"Type\\": \\"AWS::Config::ConfigRule\\", \\"Properties\\": {\\"ConfigRuleName\\": \\"s3-versioning\\", \\"Source\\": {\\"Owner\\": \\"AWS\\", \\"SourceIdentifier\\": \\"S3_BUCKET_VERSIONING_ENABLED\\"}}}, ' ..
  '\\"R2\\": {\\"Type\\": \\"AWS::Config::ConfigRule\\", \\"Properties\\": {\\"ConfigRuleName\\": \\"iam-password-policy\\", \\"Source\\": {\\"Owner\\": \\"AWS\\", \\"SourceIdentifier\\": \\"IAM_PASSWORD_POLICY\\"}}}, ' ..
  '\\"R3\\": {\\"Type\\": \\"AWS::Config::ConfigRule\\", \\"Properties\\": {\\"ConfigRuleName\\": \\"root-account-mfa\\", \\"Source\\": {\\"Owner\\": \\"AWS\\", \\"SourceIdentifier\\": \\"ROOT_ACCOUNT_MFA_ENABLED\\"}}}}}'
local body = '{"ConformancePackName": "bench", "TemplateBody": "' .. template .. '"}'

local counter = 0
local thread_base = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_base", threads * 100000000)
end

function request()
  counter = counter + 1
  local account = string.format("%012d", 200000000000 + thread_base + counter)
  local headers = {
    ["Content-Type"] = "application/x-amz-json-1.1",
    ["X-Amz-Target"] = "StarlingDoveService.PutConformancePack",
    ["X-Amz-Date"] = "20240101T000000Z",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=" .. account ..
      "/20240101/us-east-1/config/aws4_request, SignedHeaders=host, Signature=" .. string.rep("0", 64),
  }
  return wrk.format("POST", "/", headers, body)
end

-- PutEvaluations of 100 evaluations per call to the user rule `bench-rule` (account 123456789012),
-- whose result token is its name. The bodies cycle through 1,000 precomputed batches over 100,000
-- resources with rising ordering timestamps, so that most calls replace results and some add them.
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.setup("StarlingDoveService.PutEvaluations", "")
done = common.done

local bodies = {}
local counter = 0

function init(args)
  local compliance = { "COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE" }
  for b = 0, 999 do
    local parts = {}
    for i = 0, 99 do
      local resource = (b * 100 + i * 7919) % 100000
      parts[#parts + 1] = string.format(
        '{"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "arn:aws:s3:::bench-bucket-%d", ' ..
        '"ComplianceType": "%s", "Annotation": "evaluated by the benchmark", "OrderingTimestamp": %d}',
        resource, compliance[(b + i) % 3 + 1], 1704164645 + b)
    end
    bodies[#bodies + 1] = '{"ResultToken": "bench-rule", "Evaluations": [' .. table.concat(parts, ", ") .. ']}'
  end
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[counter % #bodies + 1])
end

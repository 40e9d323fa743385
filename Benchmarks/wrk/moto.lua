-- moto_server: DescribeOrganizationConformancePacks with five names (run.sh creates them first).
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.setup("StarlingDoveService.DescribeOrganizationConformancePacks",
  '{"OrganizationConformancePackNames": ["bench-1", "bench-2", "bench-3", "bench-4", "bench-5"]}')
done = common.done

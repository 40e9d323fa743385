-- DescribeConformancePackStatus with five names (run.sh creates bench-1 … bench-5 first).
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.setup("StarlingDoveService.DescribeConformancePackStatus",
  '{"ConformancePackNames": ["bench-1", "bench-2", "bench-3", "bench-4", "bench-5"]}')
done = common.done

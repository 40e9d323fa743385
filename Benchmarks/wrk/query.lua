-- Any query: the target and the body come from the environment (run.sh sets them per scenario),
-- WRK_TARGET (e.g. StarlingDoveService.GetConformancePackComplianceSummary) and WRK_BODY (JSON).
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.setup(os.getenv("WRK_TARGET"), os.getenv("WRK_BODY") or "{}")
done = common.done

-- Distinct workforce dashboard questions for wrk, as a workforce planner:
-- each request a different combination of region, specialism (division,
-- role group or specialism), career level, quarter and breakdown, in turn
-- through the pages, the CSV downloads and the API. HCS_COOKIE is the
-- session; HCS_QUARTERS a file of quarter ends, one per line, oldest
-- first; HCS_KIND which questions:
--   figures   the dashboard, its CSV downloads and the figures API
--   flows     joiners and leavers (API and CSV), at quarters with a year
--             of records before them, broken down by one dimension
--   forecast  the forecast page for regions, specialisms and divisions
--             large enough to forecast
--   employer  an employer's own staff (page and CSV), for each employer
--             in HCS_EMPLOYERS (organisation ids, one per line)
--   pipeline  the training pipeline (page, CSV and API) by programme,
--             region and specialism
local cookie = os.getenv("HCS_COOKIE")
local quarters = {""}
for line in io.lines(os.getenv("HCS_QUARTERS")) do quarters[#quarters + 1] = line end
local regions = {"", "London", "North%20West", "Midlands", "South%20West", "East%20of%20England", "Wales", "Scotland", "Northern%20Ireland"}
local specialisms = {"", "division:life-sciences", "division:physiological-sciences", "group:blood-sciences", "group:medical-physics",
  "audiology", "clinical-biochemistry", "cardiac-science"}
local levels = {"", "practitioner", "clinical-scientist"}
local bys = {"region", "division", "group", "specialism", "level", "band"}
local kind = os.getenv("HCS_KIND") or "figures"
local paths = ({figures = {"/workforce", "/workforce/figures.csv", "/api/v1/workforce/figures", "/workforce/quarters.csv"},
  flows = {"/api/v1/workforce/flows", "/workforce/flows.csv"},
  pipeline = {"/workforce/pipeline", "/api/v1/workforce/pipeline", "/workforce/pipeline.csv"}})[kind]
local programmes = {"", "stp", "ptp", "hsst"}
local employers = {}
if kind == "employer" then
  for line in io.lines(os.getenv("HCS_EMPLOYERS")) do employers[#employers + 1] = line end
end
-- The depth of a specialism filter, and of a breakdown of specialisms.
local function depth(s)
  if s == "" then return 0 end
  if s:sub(1, 9) == "division:" or s == "division" then return 1 end
  if s:sub(1, 6) == "group:" or s == "group" then return 2 end
  return 3
end
-- Only questions the dashboard answers: a breakdown by something not
-- filtered (or finer), narrowing at most three of the four dimensions.
-- Joiners and leavers narrow one dimension at a time: the breakdowns of
-- the whole workforce.
local queries, flowQueries = {}, {}
for _, r in ipairs(regions) do
  for _, s in ipairs(specialisms) do
    for _, l in ipairs(levels) do
      for _, b in ipairs(bys) do
        local narrowed = (r ~= "" and 1 or 0) + (s ~= "" and 1 or 0) + (l ~= "" and 1 or 0)
        local ok = true
        if b == "region" then ok = r == "" elseif b == "level" then ok = l == ""
        elseif b == "band" then ok = true else ok = depth(b) > depth(s) end
        if ok and ((b == "region" or b == "level" or b == "band") or s == "") then narrowed = narrowed + 1 end
        if ok and narrowed <= 3 then
          queries[#queries + 1] = "?region=" .. r .. "&specialism=" .. s .. "&level=" .. l .. "&by=" .. b
        end
        if ok and narrowed <= 1 then
          flowQueries[#flowQueries + 1] = "?region=" .. r .. "&specialism=" .. s .. "&level=" .. l .. "&by=" .. b
        end
      end
    end
  end
end
-- Forecast groups: a region, a specialism, or a large region's division.
local groups = {}
for _, r in ipairs(regions) do groups[#groups + 1] = "?region=" .. r end
for _, s in ipairs(specialisms) do groups[#groups + 1] = "?specialism=" .. s end
for _, r in ipairs({"London", "North%20West", "Midlands", "East%20of%20England"}) do
  for _, d in ipairs({"division:life-sciences", "division:physiological-sciences"}) do groups[#groups + 1] = "?region=" .. r .. "&specialism=" .. d end
end
local ownBys = {"division", "group", "specialism", "level", "band"}
local n = 0
request = function()
  n = n + 1
  local h = {["Cookie"] = cookie}
  if kind == "forecast" then
    return wrk.format("GET", "/workforce/forecast" .. groups[(n * 7) % #groups + 1], h)
  elseif kind == "employer" then
    local path = (n % 2 == 0) and "/workforce/employer" or "/workforce/employer.csv"
    return wrk.format("GET", path .. "?organisation_id=" .. employers[(n * 13) % #employers + 1] .. "&by=" .. ownBys[(n * 3) % #ownBys + 1], h)
  end
  if kind == "pipeline" then
    local q = "?programme=" .. programmes[n % #programmes + 1] .. "&region=" .. regions[(n * 7) % #regions + 1] ..
      "&specialism=" .. specialisms[(n * 13) % #specialisms + 1]
    return wrk.format("GET", paths[(n * 3) % #paths + 1] .. q, h)
  end
  local q = queries[(n * 7919) % #queries + 1]
  local at = quarters[(n * 31) % #quarters + 1]
  if kind == "flows" then
    q = flowQueries[(n * 7919) % #flowQueries + 1]
    -- the latest, or a quarter with four before it
    at = quarters[((n * 31) % (#quarters - 5)) + 6]
    if n % 5 == 0 then at = "" end
  end
  return wrk.format("GET", paths[n % #paths + 1] .. q .. "&at=" .. at, h)
end

-- Distinct workforce dashboard questions for wrk, as a workforce planner:
-- each request a different combination of region, specialism (division,
-- role group or specialism), career level, quarter and breakdown, in turn
-- through the pages, the CSV downloads and the API. HCS_COOKIE is the
-- session; HCS_QUARTERS a file of quarter ends, one per line.
local cookie = os.getenv("HCS_COOKIE")
local quarters = {""}
for line in io.lines(os.getenv("HCS_QUARTERS")) do quarters[#quarters + 1] = line end
local regions = {"", "London", "North%20West", "Midlands", "South%20West", "East%20of%20England", "Wales", "Scotland", "Northern%20Ireland"}
local specialisms = {"", "division:life-sciences", "division:physiological-sciences", "group:blood-sciences", "group:medical-physics",
  "audiology", "clinical-biochemistry", "cardiac-science"}
local levels = {"", "practitioner", "clinical-scientist"}
local bys = {"region", "division", "group", "specialism", "level", "band"}
local paths = {"/workforce", "/workforce/figures.csv", "/api/v1/workforce/figures", "/workforce/quarters.csv"}
-- The depth of a specialism filter, and of a breakdown of specialisms.
local function depth(s)
  if s == "" then return 0 end
  if s:sub(1, 9) == "division:" or s == "division" then return 1 end
  if s:sub(1, 6) == "group:" or s == "group" then return 2 end
  return 3
end
-- Only questions the dashboard answers: a breakdown by something not
-- filtered (or finer), narrowing at most three of the four dimensions.
local queries = {}
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
      end
    end
  end
end
local n = 0
request = function()
  n = n + 1
  local q = queries[(n * 7919) % #queries + 1]
  local at = quarters[(n * 31) % #quarters + 1]
  return wrk.format("GET", paths[n % #paths + 1] .. q .. "&at=" .. at, {["Cookie"] = cookie})
end

-- Distinct training pages for wrk, as the national school's
-- administrator: the cohort overview with a different filter each time
-- (programme, region, specialism, status, only those needing attention),
-- or one trainee's record, each trainee in turn. HCS_COOKIE is the
-- session; HCS_IDS a file of trainee ids, one per line; HCS_PAGE is
-- "cohort" or "record".
local cookie = os.getenv("HCS_COOKIE")
local page = os.getenv("HCS_PAGE")
local ids = {}
for line in io.lines(os.getenv("HCS_IDS")) do ids[#ids + 1] = line end
local regions = {"", "London", "North%20West", "Midlands", "South%20West", "East%20of%20England", "Wales", "Scotland"}
local specialisms = {"", "audiology", "clinical-biochemistry"}
local statuses = {"", "active"}
local filters = {}
for _, r in ipairs(regions) do
  for _, s in ipairs(specialisms) do
    for _, st in ipairs(statuses) do
      for _, ex in ipairs({"", "yes"}) do
        filters[#filters + 1] = "/school/training?programme=stp&region=" .. r .. "&specialism=" .. s .. "&status=" .. st .. "&exceptions=" .. ex
      end
    end
  end
end
local n = 0
request = function()
  n = n + 1
  local path
  if page == "cohort" then
    path = filters[(n % #filters) + 1]
  else
    path = "/training/trainees/" .. ids[(n % #ids) + 1]
  end
  return wrk.format("GET", path, {["Cookie"] = cookie})
end

-- wrk script: send the lines of bench/data/queries.txt (made by
-- bench/querygen) as search queries, each at most once: thread k of wrk
-- takes lines k, k+16, k+32 and so on (up to 16 threads), so no request is
-- answered from the response cache as long as the run ends before the
-- list does. Usage: wrk -t2 -s bench/search-distinct.lua http://127.0.0.1:PORT
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local queries = {}
local i
function init(args)
  for line in io.lines("bench/data/queries.txt") do
    queries[#queries + 1] = line
  end
  i = id + 1
end

function request()
  local q = queries[i]
  i = i + 16
  if i > #queries then i = id + 1 end
  return wrk.format("GET", "/api/v1/search?q=" .. q)
end

-- wrk script: a signed-in system administrator's mixed traffic. One request
-- in five creates an organisation; the rest read (the session and account,
-- one organisation, a search, a specialism page). Counts 5xx responses.
-- Needs HCS_COOKIE=hcs_session=… in the environment.
local cookie = os.getenv("HCS_COOKIE")
local threads = {}
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  fivexx = 0
  writes = 0
end

request = function()
  counter = counter + 1
  local headers = { ["Cookie"] = cookie, ["Content-Type"] = "application/json" }
  local k = counter % 5
  if k == 0 then
    writes = writes + 1
    local body = string.format('{"kind":"trust","name":"Load trust %d-%d-%d","region":"London"}', tid, counter, math.random(1000000000))
    return wrk.format("POST", "/api/v1/organisations", headers, body)
  elseif k == 1 then
    return wrk.format("GET", "/api/v1/me", headers)
  elseif k == 2 then
    return wrk.format("GET", "/api/v1/organisations/1", headers)
  elseif k == 3 then
    return wrk.format("GET", "/api/v1/search?q=heart")
  end
  return wrk.format("GET", "/specialisms/audiology")
end

response = function(status, headers, body)
  if status >= 500 then
    fivexx = fivexx + 1
  end
end

done = function(summary, latency, requests)
  local total, w = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("fivexx")
    w = w + t:get("writes")
  end
  io.write(string.format("writes sent: %d\n5xx responses: %d\n", w, total))
end

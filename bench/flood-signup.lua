-- A flood of sign-ups, each for a new address: every one is hashed. Used
-- by bench/flood.sh for the worst case (the per-address limit lifted).
local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
local n = 0
local thread_id = math.random(1, 1000000)

request = function()
  n = n + 1
  local email = "flood" .. thread_id .. "x" .. n .. "@example.org"
  return wrk.format("POST", "/sign-up", headers,
    "name=Flood&email=" .. email .. "&password=flooding+password+1&confirm=flooding+password+1")
end

-- A flood of password reset submissions, each with a made-up link of the
-- right shape and the longest password allowed: what anyone signed out can
-- send. Used by bench/flood.sh.
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local password = string.rep("p", 128)
local body = "password=" .. password .. "&confirm=" .. password
local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}

request = function()
  local t = {}
  for i = 1, 43 do
    local n = math.random(1, 64)
    t[i] = chars:sub(n, n)
  end
  return wrk.format("POST", "/password-reset/" .. table.concat(t), headers, body)
end

-- wrk: GET /user/{id} of random existing users, ids 2..max (max is the script's argument, given
-- by the benchmark after `--`: the users it loaded, plus one).
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local max_id = 10001

init = function(args)
  max_id = tonumber(args[1]) or max_id
end

request = function()
  return wrk.format("GET", "/user/" .. math.random(2, max_id))
end

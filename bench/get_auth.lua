-- wrk: GET /user/{id} of random existing users, as get.lua, each request with a bearer token.
-- Arguments after `--`: the highest id, then a file of tokens, one a line (one per connection the
-- benchmark opens; wrk's scripts see threads, not connections, so each thread takes them in turn).
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local max_id = 10001
local tokens = {}
local next_token = 1

init = function(args)
  max_id = tonumber(args[1]) or max_id
  for line in io.lines(args[2]) do
    tokens[#tokens + 1] = "Bearer " .. line
  end
  next_token = math.random(1, #tokens)
end

request = function()
  next_token = next_token % #tokens + 1
  return wrk.format("GET", "/user/" .. math.random(2, max_id), { ["Authorization"] = tokens[next_token] })
end

-- wrk: GET /user/{id} of random existing users (ids 2..10001, loaded by the benchmark).
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

request = function()
  return wrk.format("GET", "/user/" .. math.random(2, 10001))
end

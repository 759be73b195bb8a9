-- wrk: 80% GET, 10% PUT, 5% POST, 5% DELETE. Every request is valid, so any non-2xx is an error:
-- PUTs rewrite loaded users with their own username, DELETEs remove users this thread created.
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

local thread_tag = tostring(math.random(1, 1e9))
local max_id = 10001 -- the loaded users are 2..max_id (the script's argument, after `--`)
local counter = 0
local created = {}
local json = { ["Content-Type"] = "application/json" }

init = function(args)
  max_id = tonumber(args[1]) or max_id
end

local function put_body(id)
  return '{"username":"bench-' .. id .. '","firstName":"Bench","lastName":"User","email":"bench'
      .. id .. '@example.com","phone":"+1 555 0100"}'
end

request = function()
  local roll = math.random(1, 100)
  if roll <= 80 then
    return wrk.format("GET", "/user/" .. math.random(2, max_id))
  elseif roll <= 90 then
    local id = math.random(2, max_id)
    return wrk.format("PUT", "/user/" .. id, json, put_body(id))
  elseif roll <= 95 or #created == 0 then
    counter = counter + 1
    return wrk.format("POST", "/user", json,
      '{"username":"wrk-' .. thread_tag .. '-' .. counter .. '","firstName":"New"}')
  else
    return wrk.format("DELETE", "/user/" .. table.remove(created))
  end
end

response = function(status, headers, body)
  local id = body:match('"message":"user created","id":(%d+)')
  if id then
    created[#created + 1] = id
  end
end

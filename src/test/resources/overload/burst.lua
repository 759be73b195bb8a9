-- wrk script for OverloadIT: every connection sends creates back to back; the answers are
-- counted by kind and printed as one line of key=value pairs the test reads.
local threads = {}

function setup(thread)
  thread:set("tag", tostring(math.random(1, 1e9)) .. "-" .. tostring(#threads))
  table.insert(threads, thread)
end

function init(args)
  counter, ok, unavailable, no_retry_after, wrong_message, other = 0, 0, 0, 0, 0, 0
end

request = function()
  counter = counter + 1
  return wrk.format("POST", "/user", { ["Content-Type"] = "application/json" },
    '{"username":"burst-' .. tag .. '-' .. counter .. '"}')
end

response = function(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 503 then
    unavailable = unavailable + 1
    if headers["retry-after"] == nil and headers["Retry-After"] == nil then
      no_retry_after = no_retry_after + 1
    end
    if not body:find('"message":"service unavailable"', 1, true) then
      wrong_message = wrong_message + 1
    end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total = { ok = 0, unavailable = 0, no_retry_after = 0, wrong_message = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(total) do
      total[key] = total[key] + thread:get(key)
    end
  end
  local e = summary.errors
  io.write(string.format("burst requests=%d ok=%d unavailable=%d no_retry_after=%d wrong_message=%d other=%d "
      .. "socket_errors=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, total.ok, total.unavailable, total.no_retry_after, total.wrong_message, total.other,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end

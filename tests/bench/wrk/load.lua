-- One wrk script for every benchmark request, configured by environment variables (wrk passes no options to Lua):
--   BENCH_METHOD   GET (default); POST: an e-mail-form message with a fresh Idempotency-Key each time; WEBHOOK: a
--                  Chaport webhook (thin body) about one of BENCH_VISITORS visitors, bench-0 … bench-(n-1), in turn
--   BENCH_ORIGIN   the Origin header
--   BENCH_RATE     requests per second for the whole run, spread as random (Poisson) arrivals over the connections;
--                  unset: as fast as the connections go (closed loop)
--   BENCH_CONNECTIONS  the -c given to wrk, so the rate can be shared among connections
-- done() prints one JSON line: requests, seconds, status counts, latency percentiles in ms.

local method = os.getenv("BENCH_METHOD") or "GET"
local origin = os.getenv("BENCH_ORIGIN") or "https://bench.example"
local rate = tonumber(os.getenv("BENCH_RATE") or "")
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "1")
local visitors = tonumber(os.getenv("BENCH_VISITORS") or "100")
local threads = {}
local counter = 0
local prefix = ""
-- Per-thread counters by status: wrk copies only plain values between Lua states, so one global per status.
local tracked = { 200, 201, 202, 304, 400, 404, 413, 422, 429, 500, 503 }
for _, status in ipairs(tracked) do _G["s" .. status] = 0 end
other = 0

local message = '{"email":"ann@example.com","message":"A message of a realistic size. ' .. string.rep("Lorem ipsum dolor sit amet. ", 8) .. '"}'

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + id * 7919)
  prefix = string.format("bench-%d-%d-%d", os.time(), id, math.random(1, 1e9))
end

function request()
  if method == "WEBHOOK" then
    counter = counter + 1
    local visitor = "bench-" .. ((counter * 7 + id * 13) % visitors)
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
      '{"link":"/api/v1/visitors/' .. visitor .. '/chats","extras":{"visitorId":"' .. visitor .. '"}}')
  end
  if method == "POST" then
    counter = counter + 1
    return wrk.format("POST", nil, { ["Origin"] = origin, ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. "-" .. counter }, message)
  end
  return wrk.format("GET", nil, { ["Origin"] = origin, ["Accept-Encoding"] = "identity" })
end

if rate then
  -- Exponential gaps: each connection is a Poisson source of rate/connections; together, a Poisson source of rate.
  local mean = connections * 1000 / rate
  function delay()
    return -math.log(1 - math.random()) * mean
  end
end

function response(status, headers, body)
  local key = "s" .. status
  if _G[key] then _G[key] = _G[key] + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local parts = {}
  for _, status in ipairs(tracked) do
    local n = 0
    for _, thread in ipairs(threads) do n = n + (thread:get("s" .. status) or 0) end
    if n > 0 then table.insert(parts, string.format('"%d":%d', status, n)) end
  end
  local others = 0
  for _, thread in ipairs(threads) do others = others + (thread:get("other") or 0) end
  if others > 0 then table.insert(parts, string.format('"other":%d', others)) end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"statuses":{%s},"errors":%d,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f}\n',
    summary.requests, summary.duration / 1e6, table.concat(parts, ","), e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end

-- wrk script: one method and path; optional request bodies (one a line) taken in turn.
-- Headers (cookie, CSRF token, HX-Request, Authorization…) come from wrk's -H flags.
-- Usage: wrk ... -s bench.lua <url> -- METHOD PATH [BODIES_FILE]
local method, path = "GET", "/"
local bodies = {}

function init(args)
  method = args[1] or "GET"
  path = args[2] or "/"
  if args[3] then
    for line in io.lines(args[3]) do table.insert(bodies, line) end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local body = nil
  if #bodies > 0 then body = bodies[math.random(#bodies)] end
  return wrk.format(method, path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end

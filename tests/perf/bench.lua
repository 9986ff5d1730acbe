-- wrk script: one method and path; optional request bodies (one a line) taken at random.
-- A line "PATH<TAB>BODY" also changes the path (e.g. autosave spread over many assessments);
-- "PATH<TAB>BODY<TAB>Name: value" adds one header for that body (a webhook's signature).
-- Headers (cookie, CSRF token, HX-Request, Authorization…) come from wrk's -H flags.
-- Usage: wrk ... -s bench.lua <url> -- METHOD PATH [BODIES_FILE]
local method, path = "GET", "/"
local lines = {}

function init(args)
  method = args[1] or "GET"
  path = args[2] or "/"
  if args[3] then
    for line in io.lines(args[3]) do
      local p, b, h = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      if p then
        local name, value = h:match("^([^:]+):%s*(.*)$")
        table.insert(lines, {p, b, {[name] = value}})
      else
        p, b = line:match("^([^\t]*)\t(.*)$")
        if p then table.insert(lines, {p, b}) else table.insert(lines, {path, line}) end
      end
    end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  if #lines > 0 then
    local l = lines[math.random(#lines)]
    local h = nil
    if l[3] then  -- wrk.format replaces wrk.headers (the -H flags) with the table it gets
      h = {}
      for k, v in pairs(wrk.headers) do h[k] = v end
      for k, v in pairs(l[3]) do h[k] = v end
    end
    return wrk.format(method, l[1], h, l[2])
  end
  return wrk.format(method, path, nil, nil)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end

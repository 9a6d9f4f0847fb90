-- wrk script for benchmarks/web_pages.py: cycle through the URLs (args[1], comma-separated), send the login cookie
-- (args[2]) or a bearer token (args[3]), and print the latency percentiles as one JSON line when done.
local urls = {}
local counter = 0
function init(args)
  for url in string.gmatch(args[1], "[^,]+") do urls[#urls + 1] = url end
  if args[2] ~= nil and args[2] ~= "" then wrk.headers["Cookie"] = args[2] end
  if args[3] ~= nil and args[3] ~= "" then wrk.headers["Authorization"] = args[3] end
end
function request()
  counter = counter + 1
  return wrk.format("GET", urls[(counter % #urls) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end

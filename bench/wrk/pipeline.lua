-- Pipelining: each write carries 16 GET requests for the URL's path; wrk counts every response.
-- Usage: wrk -s bench/wrk/pipeline.lua http://127.0.0.1:PORT/path
local depth = 16

init = function(args)
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format("GET", wrk.path)
  end
  batch = table.concat(r)
end

request = function()
  return batch
end

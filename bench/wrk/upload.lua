-- 1 MiB upload: every request is a POST of 1 MiB of 'x' (wrk adds Content-Length).
-- 'x' bytes hold no CR LF CR LF, so the raw ceiling answers each upload exactly once.
-- Usage: wrk -s bench/wrk/upload.lua http://127.0.0.1:PORT/upload
wrk.method = "POST"
wrk.body = string.rep("x", 1024 * 1024)
wrk.headers["Content-Type"] = "application/octet-stream"

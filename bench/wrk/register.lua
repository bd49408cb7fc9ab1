-- Each request is one person's registration: a POST with that person's session cookie and
-- CSRF token, prepared beforehand (bench/registration_rush.py writes them, one per line:
-- path <TAB> Cookie header <TAB> form body). Thread n of N takes lines n, n+N, n+2N...; a
-- thread prints DONE and stops when its people are done.
-- When its people are done, a connection asks for IDLE_PATH (a cheap GET answering 200) while
-- the last answers arrive; those answers are not counted (a registration answers 302).
-- Run: wrk -t2 -c50 -d300s -s bench/wrk/register.lua http://127.0.0.1:PORT -- FILE 2 IDLE_PATH

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local file = args[1]
   local nthreads = tonumber(args[2] or "2")
   people = {}
   local n = 0
   for line in io.lines(file) do
      if n % nthreads == id then
         local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
         table.insert(people, wrk.format("POST", path, {
            ["Cookie"] = cookie,
            ["Content-Type"] = "application/x-www-form-urlencoded",
         }, body))
      end
      n = n + 1
   end
   idle_path = args[3] or "/ping"
   sent = 0
   -- wrk calls request() once on thread 0 right after init to check it: not a person.
   checked = id ~= 0
   answered = 0
   statuses = {}
end

function request()
   if not checked then
      checked = true
      return people[1] or wrk.format("GET", idle_path)
   end
   sent = sent + 1
   if sent > #people then
      return wrk.format("GET", idle_path)
   end
   return people[sent]
end

function response(status, headers, body)
   if status == 200 and sent > #people then
      return -- an idle request's answer
   end
   answered = answered + 1
   local key = "s" .. status
   statuses[key] = (statuses[key] or 0) + 1
   if answered == #people then
      -- wrk's main thread sleeps for the whole -d duration whatever the threads do, so the
      -- script says when its people are done; bench/registration_rush.py times that and
      -- interrupts wrk (SIGINT), which then prints its summary.
      io.write("DONE\n")
      io.flush()
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local totals = {}
   for _, thread in ipairs(threads) do
      for _, code in ipairs({200, 302, 400, 403, 404, 409, 500, 502, 503}) do
         local n = thread:get("statuses")["s" .. code]
         if n then totals[code] = (totals[code] or 0) + n end
      end
   end
   local parts = {}
   for code, n in pairs(totals) do table.insert(parts, code .. "=" .. n) end
   table.sort(parts)
   io.write("STATUSES " .. table.concat(parts, " ") .. "\n")
end

-- Counts one coalesced batch of page views (issue 12): INCRBY per page, and a page not yet known is created only
-- while the set of known pages has fewer than MAX_PAGES members. Redis runs nothing else while a script runs, so
-- the check and the creation are one step, and app instances racing cannot pass MAX_PAGES together.
--
-- KEYS[1]      the SET of known page names
-- KEYS[1 + i]  the counter of page i (i = 1 .. n)
-- ARGV[1]      MAX_PAGES
-- ARGV[1 + i]  the name of page i
-- ARGV[1+n+i]  its views in this batch
--
-- Reply, one element per page, in order: its new count (an integer, or a decimal string above 2^53, which Lua's
-- numbers cannot hold exactly); 'FULL' when the page is new and MAX_PAGES pages are known, and nothing was created;
-- or the error reply of its INCRBY as a string when the value under its key is not a counter, and nothing was counted
-- for it. If Redis refuses the first write (READONLY, OOM, NOREPLICAS, MISCONF), the whole call answers that error and
-- nothing was written: those are decided before a script's first write, never after it.

local function is_bad_value(reply)
  return string.find(reply, '^WRONGTYPE') ~= nil
      or string.find(reply, '^ERR value is not an integer') ~= nil
      or string.find(reply, '^ERR increment or decrement would overflow') ~= nil
end

local known_pages = KEYS[1]
local max_pages = tonumber(ARGV[1])
local n = #KEYS - 1
local known = redis.call('SCARD', known_pages)
local wrote = false
local reply = {}

for i = 1, n do
  local page = ARGV[1 + i]
  local is_known = redis.call('SISMEMBER', known_pages, page) == 1
  if not is_known and known >= max_pages then
    reply[i] = 'FULL'
  else
    -- INCRBY before SADD: a page whose INCRBY fails creates nothing.
    local count = redis.pcall('INCRBY', KEYS[1 + i], ARGV[1 + n + i])
    if type(count) == 'table' then
      if not wrote and not is_bad_value(count.err) then
        return count
      end
      reply[i] = count.err
    else
      wrote = true
      if not is_known then
        redis.call('SADD', known_pages, page)
        known = known + 1
      end
      if count >= 9007199254740992 then
        count = redis.call('GET', KEYS[1 + i])
      end
      reply[i] = count
    end
  end
end

return reply

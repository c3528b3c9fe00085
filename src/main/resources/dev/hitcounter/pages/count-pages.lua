-- Counts one coalesced batch of page views (issue 12): INCRBY per page, and a page not yet known is created only
-- while the set of known pages has fewer than MAX_PAGES members. Redis runs nothing else while a script runs, so
-- the check and the creation are one step, and app instances racing cannot pass MAX_PAGES together. With unique
-- visitors on, the same call adds the batch's visitor values of each counted page to its HyperLogLog of the day, so a
-- batch is one round trip either way.
--
-- KEYS[1]        the SET of known page names
-- KEYS[1 + i]    the counter of page i (i = 1 .. n)
-- ARGV[1]        MAX_PAGES
-- ARGV[2]        n
-- ARGV[2 + i]    the name of page i
-- ARGV[2+n+i]    its views in this batch
--
-- Unique visitors, only when KEYS has more than 1 + n keys:
-- KEYS[1+n+i]    the HyperLogLog of page i for the day
-- ARGV[3 + 2n]   a HyperLogLog's lifetime in seconds
-- then, for each page i in order, the number of its visitor values and the values. They are keyed in the app by a
-- secret that never reaches Redis (issue 21), so they can travel as arguments and land in the append-only file.
--
-- Reply, one element per page, in order: its new count (an integer, or a decimal string above 2^53, which Lua's
-- numbers cannot hold exactly); 'FULL' when the page is new and MAX_PAGES pages are known, and nothing was created;
-- or the error reply of its INCRBY as a string when the value under its key is not a counter, and nothing was counted
-- for it. If Redis refuses the first write (READONLY, OOM, NOREPLICAS, MISCONF), the whole call answers that error and
-- nothing was written: those are decided before a script's first write, never after it.
-- With unique visitors, one element more: a list of the HyperLogLogs whose PFADD failed, each as 'key error' (a value
-- that is not a HyperLogLog under the key); such a key is left as it is, without a new time-to-live. Nothing in this
-- part can fail the call: the views before it are counted, and their answers must not be lost to a visitor count.

local function is_bad_value(reply)
  return string.find(reply, '^WRONGTYPE') ~= nil
      or string.find(reply, '^ERR value is not an integer') ~= nil
      or string.find(reply, '^ERR increment or decrement would overflow') ~= nil
end

local known_pages = KEYS[1]
local max_pages = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local known = redis.call('SCARD', known_pages)
local wrote = false
local reply = {}

for i = 1, n do
  local page = ARGV[2 + i]
  local is_known = redis.call('SISMEMBER', known_pages, page) == 1
  if not is_known and known >= max_pages then
    reply[i] = 'FULL'
  else
    -- INCRBY before SADD: a page whose INCRBY fails creates nothing.
    local count = redis.pcall('INCRBY', KEYS[1 + i], ARGV[2 + n + i])
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

-- Lua's unpack has a limit near 8,000 values: add a large batch's values in slices. Answers the error of the first
-- PFADD that fails, or nil.
local function add_values(key, first, last)
  for from = first, last, 1000 do
    local ok = redis.pcall('PFADD', key, unpack(ARGV, from, math.min(from + 999, last)))
    if type(ok) == 'table' then
      return ok.err
    end
  end
  return nil
end

local function add_visitors()
  local lifetime = ARGV[3 + 2 * n]
  local at = 4 + 2 * n
  local failed = {}
  for i = 1, n do
    local key = KEYS[1 + n + i]
    local values = tonumber(ARGV[at])
    local counted = type(reply[i]) == 'number' or string.find(reply[i], '^%d+$') ~= nil
    if values > 0 and counted then
      local err = add_values(key, at + 1, at + values)
      if err then
        failed[#failed + 1] = key .. ' ' .. err
      else
        redis.pcall('EXPIRE', key, lifetime)
      end
    end
    at = at + 1 + values
  end
  return failed
end

if #KEYS > 1 + n then
  reply[n + 1] = add_visitors()
end

return reply

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
-- A page's views may be 0 (only bots viewed it, issue 24 part 5): nothing is counted or created, and its reply is its
-- count as it stands (0 for a page that does not exist).
--
-- The visitors, only when ARGV has more than 2 + 2n values:
-- ARGV[3 + 2n]   a unique-visitor HyperLogLog's lifetime in seconds, 0 when unique visitors are off
-- KEYS[1+n+i]    when that lifetime is not 0: the HyperLogLog of page i for the day
-- then, for each page i in order, the number of its visitor values and the values. They are keyed in the app by a
-- secret that never reaches Redis (issue 21), so they can travel as arguments and land in the append-only file.
-- Then, optionally (issue 24), after the last value:
-- a day's lifetime in seconds, 0 without views per day; when not 0, the next n KEYS are the HASHes of the pages'
--                views of the day (fields views, and uniques: the day's HyperLogLog's count after this batch)
-- a window in milliseconds, 0 without COUNT_ONCE_PER; when not 0, the next n KEYS are each page's sorted set of
--                visitor values scored by the time of their last counted view, and a page counts only its values
--                not seen within the window (its views argument is then the number of its values)
--
-- Reply, one element per page, in order: its new count (an integer, or a decimal string above 2^53, which Lua's
-- numbers cannot hold exactly); 'FULL' when the page is new and MAX_PAGES pages are known, and nothing was created;
-- or the error reply of its INCRBY as a string when the value under its key is not a counter, and nothing was counted
-- for it. If Redis refuses the first write (READONLY, OOM, NOREPLICAS, MISCONF), the whole call answers that error and
-- nothing was written: those are decided before a script's first write, never after it.
-- With visitors, one element more: a list of the HyperLogLogs whose PFADD failed, each as 'key error' (a value
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
local has_visitors = #ARGV > 2 + 2 * n
local uniques_lifetime = 0
local day_lifetime = 0
local window = 0
local values_at = {}
local next_key = 2 + n

-- Where each section starts: the visitor values of page i are ARGV[values_at[i] + 1 .. values_at[i] + count].
if has_visitors then
  uniques_lifetime = tonumber(ARGV[3 + 2 * n])
  local at = 4 + 2 * n
  for i = 1, n do
    values_at[i] = at
    at = at + 1 + tonumber(ARGV[at])
  end
  if at <= #ARGV then
    day_lifetime = tonumber(ARGV[at])
    window = tonumber(ARGV[at + 1])
  end
end
local uniques_keys = next_key
if uniques_lifetime > 0 then next_key = next_key + n end
local day_keys = next_key
if day_lifetime > 0 then next_key = next_key + n end
local window_keys = next_key

-- With a window, the views of page i are its values not counted within the window; each one counted now is stamped.
local function not_seen_within_window(i)
  local key = KEYS[window_keys + i - 1]
  local now = redis.call('TIME')
  local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  local since = now_ms - window
  local counted = 0
  local at = values_at[i]
  for v = at + 1, at + tonumber(ARGV[at]) do
    local last = redis.call('ZSCORE', key, ARGV[v])
    if not last or tonumber(last) <= since then
      redis.call('ZADD', key, now_ms, ARGV[v])
      counted = counted + 1
    end
  end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', since)
  redis.call('PEXPIRE', key, window)
  return counted
end

local known = redis.call('SCARD', known_pages)
local wrote = false
local reply = {}

for i = 1, n do
  local page = ARGV[2 + i]
  local views = tonumber(ARGV[2 + n + i])
  local is_known = redis.call('SISMEMBER', known_pages, page) == 1
  if not is_known and known >= max_pages then
    reply[i] = 'FULL'
  else
    if window > 0 then
      views = not_seen_within_window(i)
    end
    if views == 0 then
      -- Nothing to count: the count as it stands, and a page that does not exist stays so.
      local count = 0
      if is_known then
        count = redis.pcall('GET', KEYS[1 + i])
      end
      if type(count) == 'table' then
        reply[i] = count.err
      elseif tonumber(count) and tonumber(count) < 9007199254740992 then
        reply[i] = tonumber(count)
      else
        reply[i] = count or 0
      end
    else
      -- INCRBY before SADD: a page whose INCRBY fails creates nothing.
      local count = redis.pcall('INCRBY', KEYS[1 + i], views)
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
        if day_lifetime > 0 then
          local day = KEYS[day_keys + i - 1]
          redis.pcall('HINCRBY', day, 'views', views)
          redis.pcall('EXPIRE', day, day_lifetime)
        end
        if count >= 9007199254740992 then
          count = redis.call('GET', KEYS[1 + i])
        end
        reply[i] = count
      end
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
  local failed = {}
  for i = 1, n do
    local key = KEYS[uniques_keys + i - 1]
    local at = values_at[i]
    local values = tonumber(ARGV[at])
    local counted = type(reply[i]) == 'number' or string.find(reply[i], '^%d+$') ~= nil
    if values > 0 and counted then
      local err = add_values(key, at + 1, at + values)
      if err then
        failed[#failed + 1] = key .. ' ' .. err
      else
        redis.pcall('EXPIRE', key, lifetime)
        if day_lifetime > 0 and redis.call('EXISTS', KEYS[day_keys + i - 1]) == 1 then
          redis.pcall('HSET', KEYS[day_keys + i - 1], 'uniques', redis.call('PFCOUNT', key))
        end
      end
    end
  end
  return failed
end

if has_visitors then
  if uniques_lifetime > 0 then
    reply[n + 1] = add_visitors()
  else
    reply[n + 1] = {}
  end
end

return reply

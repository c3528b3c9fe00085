-- Removes a page (DELETE /api/pages/{page}, issue 24 part 3): its name from the set of known pages, which frees its
-- place under MAX_PAGES, and all its keys, in one step: a view is counted before (and removed) or after (a new page).
--
-- KEYS[1]   the SET of known page names
-- KEYS[2..] the page's keys: its count, its days, its unique-visitor HyperLogLogs, its COUNT_ONCE_PER window
-- ARGV[1]   the page's name
--
-- Reply: 1 when the page existed, else 0.

local removed = redis.call('SREM', KEYS[1], ARGV[1])
local deleted = 0
-- unpack takes a few thousand values at most: delete in slices.
for from = 2, #KEYS, 1000 do
  deleted = deleted + redis.call('DEL', unpack(KEYS, from, math.min(from + 999, #KEYS)))
end
if removed == 1 or deleted > 0 then
  return 1
end
return 0

-- Sets a page's count (PUT /api/pages/{page}, issue 24 part 3). A page not yet known is created only while the set of
-- known pages has fewer than MAX_PAGES members, in this one step, as count-pages.lua creates one; and Redis runs no
-- batch of views while this runs, so a view is counted before the new count or after it, never lost into it.
--
-- KEYS[1]  the SET of known page names
-- KEYS[2]  the page's count
-- ARGV[1]  MAX_PAGES
-- ARGV[2]  the page's name
-- ARGV[3]  its new count
--
-- Reply: 'CREATED', 'SET', or 'FULL' when the page is new and MAX_PAGES pages are known (nothing written).

local known = redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 1
if not known and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 'FULL'
end
redis.call('SET', KEYS[2], ARGV[3])
if known then
  return 'SET'
end
redis.call('SADD', KEYS[1], ARGV[2])
return 'CREATED'

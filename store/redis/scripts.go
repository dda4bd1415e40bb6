package redis

// The session scripts. Each touches one user's keys only, all in the hash slot of the user's
// {subject} tag, so it is atomic on a Cluster too. Times are unix milliseconds; a session is
// dead once its deadline <= now, and its keys expire then: PEXPIREAT deadline-1, since Redis
// keeps a key through the millisecond of its expiry time.

// reindexLua prunes dead members from the index KEYS[2] at now and sets the index to expire
// with its last member. An index without members is gone.
const reindexLua = `
local function reindex(idx, now)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now)
  local top = redis.call('ZRANGE', idx, -1, -1, 'WITHSCORES')
  if top[2] then
    redis.call('PEXPIREAT', idx, string.format('%d', tonumber(top[2]) - 1))
  end
end
`

// createScript stores a session. KEYS: record, index. ARGV: record, deadline, id, now.
var createScript = newScript(reindexLua + `
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', string.format('%d', tonumber(ARGV[2]) - 1))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
reindex(KEYS[2], ARGV[4])
return 1
`)

// touchScript sets LastSeenAt and moves both expiries, unless the session is gone or already
// dead: a touch racing a logout or an expiry never brings a session back. It reads and
// rewrites the record's fixed header (codec.go) in place. KEYS: record, index. ARGV: at, now,
// id. Returns 1 if touched.
var touchScript = newScript(reindexLua + `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if string.byte(v, 1) ~= 1 then return redis.error_reply('ERR session record of unknown version') end
local seen, idle, exp = struct.unpack('>i6i6i6', v, 2)
local now = tonumber(ARGV[2])
if math.min(seen + idle, exp) <= now then return 0 end
local at = tonumber(ARGV[1])
local deadline = math.min(at + idle, exp)
if deadline <= now then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
else
  redis.call('SETRANGE', KEYS[1], 1, struct.pack('>i6', at))
  redis.call('PEXPIREAT', KEYS[1], string.format('%d', deadline - 1))
  redis.call('ZADD', KEYS[2], string.format('%d', deadline), ARGV[3])
end
reindex(KEYS[2], ARGV[2])
return 1
`)

// deleteScript ends one session. KEYS: record, index. ARGV: id, now. Returns 1 if it existed.
var deleteScript = newScript(reindexLua + `
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
reindex(KEYS[2], ARGV[2])
return n
`)

// deleteAllScript ends every session of a user. KEYS: index. ARGV: the record key prefix of
// the user ("ag:s:{subject}:"). The records' keys are built here, not passed in, so the set
// deleted is the index as it is now, whatever was created since a caller could have read it;
// they share the index's hash slot. Returns how many records existed (live ones: a dead
// record has expired).
var deleteAllScript = newScript(`
local n = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  n = n + redis.call('DEL', ARGV[1] .. id)
end
redis.call('DEL', KEYS[1])
return n
`)

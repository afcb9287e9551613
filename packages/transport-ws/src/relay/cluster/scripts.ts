/**
 * The Lua scripts that change a room's membership in Redis. Each runs atomically: it reads
 * who holds a node id, changes the room's hash, bumps its version and announces the change on
 * the room's channel in one step, so every relay sees the changes in version order.
 *
 * Keys, under the cluster's prefix P:
 *   P members:<room>   hash: `n:<node id>` → the relay holding it, `v` → the room's version
 *   P relay:<id>       a relay's lease (expires unless renewed)
 *   P room:<room>      channel of the room's changes: `j` or `l`, version, relay, node id,
 *                      one per line (the node id last: it may hold a newline)
 * A hash left with only its version expires after a day: long after any relay could still
 * remember the room, and the version never goes back while one might.
 *
 * Every script takes ARGV[1] = prefix and ARGV[2] = room.
 */

const common = `
local prefix, room = ARGV[1], ARGV[2]
local members = prefix .. 'members:' .. room
local channel = prefix .. 'room:' .. room
local function alive(relay) return redis.call('EXISTS', prefix .. 'relay:' .. relay) == 1 end
local function count() return redis.call('HLEN', members) - redis.call('HEXISTS', members, 'v') end
local function announce(kind, relay, node)
  local version = redis.call('HINCRBY', members, 'v', 1)
  redis.call('PUBLISH', channel, kind .. '\\n' .. version .. '\\n' .. relay .. '\\n' .. node)
  return version
end
local function leave(field, relay)
  redis.call('HDEL', members, field)
  announce('l', relay, string.sub(field, 3))
end
local function expireIfEmpty()
  if count() == 0 then redis.call('PEXPIRE', members, 86400000) end
end
local function reapDead()
  local all = redis.call('HGETALL', members)
  local dead = {}
  for i = 1, #all, 2 do
    local field, relay = all[i], all[i + 1]
    if string.sub(field, 1, 2) == 'n:' then
      if dead[relay] == nil then dead[relay] = not alive(relay) end
      if dead[relay] then leave(field, relay) end
    end
  end
end
`;

/**
 * ARGV[3] node, ARGV[4] this relay, ARGV[5] maxMembers, ARGV[6] a relay to take the id from
 * even if alive ('' for none). Returns {'claimed', version}, {'held', relay} or {'full'}.
 */
export const claimScript = `${common}
local node, self, maxMembers, takeFrom = ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local field = 'n:' .. node
local holder = redis.call('HGET', members, field)
if holder == self then return {'claimed', tonumber(redis.call('HGET', members, 'v'))} end
if holder and holder ~= takeFrom and alive(holder) then return {'held', holder} end
if not holder and count() >= maxMembers then
  reapDead()
  if count() >= maxMembers then return {'full'} end
end
redis.call('HSET', members, field, self)
redis.call('PERSIST', members)
return {'claimed', announce('j', self, node)}
`;

/** ARGV[3] node, ARGV[4] this relay: removes the node if this relay holds it. Returns 1 if it did. */
export const releaseScript = `${common}
local field = 'n:' .. ARGV[3]
if redis.call('HGET', members, field) ~= ARGV[4] then return 0 end
leave(field, ARGV[4])
expireIfEmpty()
return 1
`;

/** ARGV[3] a relay: removes its members from the room if its lease is gone. Returns 1 if it did. */
export const reapScript = `${common}
if alive(ARGV[3]) then return 0 end
reapDead()
expireIfEmpty()
return 1
`;

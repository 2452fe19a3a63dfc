/*
 * scripts.c - the Lua scripts that make each call on a Redis share one
 * atomic step inside the server: a value and its version change together,
 * a lock is granted, renewed or refused by the same rules for every
 * client, and a store is fenced: refused unless the lease it was made
 * under is still its maker's.
 *
 * Every script gets the share's six keys, one hash slot through the
 * {NAME} tag: KEYS[1] the version (a string, 1 to 2^32 - 1), KEYS[2] the
 * exclusive lease (a string, the holder's token, expiring by PX), KEYS[3]
 * the shared leases (a sorted set of tokens by the server time, in ms, at
 * which each expires), KEYS[4] the token of a writer waiting for LOCK_EX,
 * which keeps new readers out until it has had its turn, KEYS[5] the value
 * (a string) and KEYS[6] where a large value waits, inside the store's
 * MULTI, for the store script to take it (format.c). The value is a key of
 * its own, not a field beside the version, so that a fetch is one MGET and
 * a large store never passes the value through Lua. Results that are not
 * data are the SL_REDIS_* codes of redis.h. Time is the server's (TIME),
 * so clients' clocks do not matter.
 */
#include "redis.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define WAITING_MS XSTR(SL_REDIS_WAITING_MS)

/* The version of the share, or SL_REDIS_GONE, or SL_REDIS_NOT_SHARE for
 * a key that holds something other than a share: a version is decimal
 * digits, no sign, space or leading zero, 1 to 4294967295, as the client
 * reads it (format.c, version_of()). One GET, which a key of
 * another type refuses (WRONGTYPE, caught by pcall): a store or a lock
 * pays for no TYPE. value_is_string() is the same check of the value's
 * key: STRLEN, 0 for no key, refused for another type. */
#define PRELUDE \
	"local function share_version()\n" \
	"  local got = redis.pcall('GET', KEYS[1])\n" \
	"  if type(got) == 'table' then return -5 end\n" \
	"  if not got then return -1 end\n" \
	"  if #got > 10 or not string.find(got, '^[1-9]%d*$') then return -5 end\n" \
	"  local v = tonumber(got)\n" \
	"  if v > 4294967295 then return -5 end\n" \
	"  return v\n" \
	"end\n" \
	"local function now_ms()\n" \
	"  local t = redis.call('TIME')\n" \
	"  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n" \
	"end\n" \
	"local function value_is_string()\n" \
	"  return type(redis.pcall('STRLEN', KEYS[5])) ~= 'table'\n" \
	"end\n" \
	"local v = share_version()\n"

const char *const sl_redis_scripts[SL_N_SCRIPTS] = {
	/* ARGV: create (0/1), exclusive (0/1). 1 created, 0 found. A new
	 * share has version 1, and no leases left from an earlier one. */
	[SL_SCRIPT_OPEN] = PRELUDE
	"if v == -5 then return v end\n"
	"if v > 0 then\n"
	"  if ARGV[2] == '1' then return -4 end\n"
	"  return 0\n"
	"end\n"
	"if ARGV[1] ~= '1' then return -1 end\n"
	"redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[6])\n"
	"redis.call('SET', KEYS[5], '')\n"
	"redis.call('SET', KEYS[1], 1)\n"
	"return 1\n",

	/* ARGV: token ('' when no lock is held), lease ms, and the value;
	 * without a value, the value is KEYS[6]'s, renamed onto KEYS[5] (a
	 * refused store leaves KEYS[6] to the DEL that follows it in the
	 * same MULTI). The new version, published to waiters. Without a
	 * token it stores only when no live lease conflicts
	 * (SL_REDIS_BUSY); with one, only while the exclusive lease is that
	 * token's (SL_REDIS_LOST). With no lease at all, the usual case,
	 * one EXISTS says so. */
	[SL_SCRIPT_STORE] = PRELUDE
	"if v < 0 then return v end\n"
	"if not value_is_string() then return -5 end\n"
	"if ARGV[1] == '' then\n"
	"  if redis.call('EXISTS', KEYS[2], KEYS[3]) > 0 then\n"
	"    if redis.call('EXISTS', KEYS[2]) == 1 then return -3 end\n"
	"    if redis.call('ZCOUNT', KEYS[3], '(' .. now_ms(), '+inf') > 0 then return -3 end\n"
	"  end\n"
	"else\n"
	"  if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -2 end\n"
	"  redis.call('PEXPIRE', KEYS[2], ARGV[2])\n"
	"end\n"
	"v = v + 1\n"
	"if v > 4294967295 then v = 1 end\n"
	"if ARGV[3] then\n"
	"  redis.call('SET', KEYS[5], ARGV[3])\n"
	"else\n"
	"  redis.call('RENAME', KEYS[6], KEYS[5])\n"
	"end\n"
	"redis.call('SET', KEYS[1], v)\n"
	"redis.call('PUBLISH', KEYS[1] .. ':changed', v)\n"
	"return v\n",

	/* No ARGV. {version, value}. */
	[SL_SCRIPT_FETCH] = PRELUDE
	"if v < 0 then return v end\n"
	"local value = redis.pcall('GET', KEYS[5])\n"
	"if not value or type(value) == 'table' then return -5 end\n"
	"return {v, value}\n",

	/*
	 * ARGV: token, from, to (0, 1 for LOCK_SH, 2 for LOCK_EX), lease ms,
	 * and whether the caller will wait ('1') if the lock is taken (with
	 * to == 0: whether it goes on waiting, and keeps its mark).
	 * flock(2)'s rules: any number of shared leases or one exclusive.
	 * Giving a lock up always succeeds. from == to renews the lease if
	 * it is still the caller's, and says nothing if it is not: a lapsed
	 * lease is found by the fence, at the next store or removal. Any
	 * other change needs the lock the caller says it holds to be its
	 * own (SL_REDIS_LOST). A conflict is SL_REDIS_BUSY, and changes
	 * nothing but this: a writer that will wait marks itself waiting
	 * (for SL_REDIS_WAITING_MS, renewed by each of its tries), and while
	 * another's mark is there a new reader is refused too, so readers
	 * that keep coming cannot starve a writer. What lets a waiter in (a
	 * release, a downgrade, a mark gone) is published on
	 * "sharelite:{NAME}:unlocked" for waiters to try again at once.
	 */
	[SL_SCRIPT_LOCK] = PRELUDE
	"if v < 0 then return v end\n"
	"local tok, from, to = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])\n"
	"local now, lease = now_ms(), tonumber(ARGV[4])\n"
	"redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)\n"
	"local w = redis.call('GET', KEYS[2])\n"
	"local mine_ex = w == tok\n"
	"local mine_sh = redis.call('ZSCORE', KEYS[3], tok) ~= false\n"
	"local waiting = redis.call('GET', KEYS[4])\n"
	"if to == 0 then\n"
	"  local freed = mine_ex or mine_sh\n"
	"  if mine_ex then redis.call('DEL', KEYS[2]) end\n"
	"  if waiting == tok and ARGV[5] ~= '1' then\n"
	"    redis.call('DEL', KEYS[4])\n"
	"    freed = true\n"
	"  end\n"
	"  redis.call('ZREM', KEYS[3], tok)\n"
	"  if freed then redis.call('PUBLISH', KEYS[1] .. ':unlocked', 1) end\n"
	"  return 1\n"
	"end\n"
	"if from == to then\n"
	"  if to == 2 and mine_ex then redis.call('PEXPIRE', KEYS[2], lease) end\n"
	"  if to == 1 and mine_sh then redis.call('ZADD', KEYS[3], now + lease, tok) end\n"
	"  return 1\n"
	"end\n"
	"if (from == 2 and not mine_ex) or (from == 1 and not mine_sh) then return -2 end\n"
	"local function busy()\n"
	"  if to == 2 and ARGV[5] == '1' and (not waiting or waiting == tok) then\n"
	"    redis.call('SET', KEYS[4], tok, 'PX', " WAITING_MS ")\n"
	"  end\n"
	"  return -3\n"
	"end\n"
	"if w and not mine_ex then return busy() end\n"
	"if to == 1 and from == 0 and waiting and waiting ~= tok then return -3 end\n"
	"if to == 1 then\n"
	"  redis.call('ZADD', KEYS[3], now + lease, tok)\n"
	"  if mine_ex then\n"
	"    redis.call('DEL', KEYS[2])\n"
	"    redis.call('PUBLISH', KEYS[1] .. ':unlocked', 1)\n"
	"  end\n"
	"  return 1\n"
	"end\n"
	"local others = redis.call('ZCARD', KEYS[3])\n"
	"if mine_sh then others = others - 1 end\n"
	"if others > 0 then return busy() end\n"
	"redis.call('ZREM', KEYS[3], tok)\n"
	"if waiting == tok then redis.call('DEL', KEYS[4]) end\n"
	"redis.call('SET', KEYS[2], tok, 'PX', lease)\n"
	"return 1\n",

	/* ARGV: token, which must hold the exclusive lease. Waiters are
	 * told, to find the share gone. */
	[SL_SCRIPT_REMOVE] = PRELUDE
	"if v < 0 then return v end\n"
	"if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -2 end\n"
	"redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])\n"
	"redis.call('PUBLISH', KEYS[1] .. ':changed', 0)\n"
	"redis.call('PUBLISH', KEYS[1] .. ':unlocked', 0)\n"
	"return 1\n",

	/* No ARGV. {version, length, live shared leases, exclusive held}. */
	[SL_SCRIPT_STAT] = PRELUDE
	"if v < 0 then return v end\n"
	"if not value_is_string() then return -5 end\n"
	"return {v, redis.call('STRLEN', KEYS[5]),\n"
	"        redis.call('ZCOUNT', KEYS[3], '(' .. now_ms(), '+inf'),\n"
	"        redis.call('EXISTS', KEYS[2])}\n",
};

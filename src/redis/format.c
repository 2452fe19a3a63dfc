/*
 * format.c - shares on a Redis server, behind the same ops as the SysV
 * formats (format.h). The server keeps the value, its version and the
 * locks, as leases (scripts.c); this file keeps a connection per handle
 * and, for each op, runs the script and reads its result.
 *
 * Leases are renewed by a thread while a lock is held (renew.c), and on
 * each call that uses the lock (the core asks the lock op "is it still
 * held?" before every locked call). A holder that stops, or is cut off
 * from the server, for a whole lease loses its lock, and then its next
 * store or removal fails with ENOLCK rather than act without it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "format.h"
#include "deadline.h"
#include "redis.h"

/* Redis refuses longer strings (proto-max-bulk-len's default). */
#define MAX_VALUE_LENGTH ((size_t)512 * 1024 * 1024)
/* A lock that is taken is tried again when a release is published, and at
 * least every 50 ms for a holder that died, whose lease lapses unheard;
 * without a subscriber, from 1 ms doubling to 50 ms. */
#define RETRY_FIRST_NS 1000000L
#define RETRY_MAX_NS 50000000L
#define RETRY_MAX_MS 50

/*
 * A value up to this long is stored by one EVALSHA that carries it; a
 * longer one is written to KEY_INCOMING by a SET in the MULTI that runs
 * the store script, which renames it onto KEY_VALUE. Redis copies a
 * script's argument into Lua and again into the key: as an argument, a
 * 64 KiB to 16 MiB store ran at 0.35 to 0.45 of a bare SET, through the
 * SET at 0.75 to 1.0. A small value costs the server less in the copies
 * than in the three commands a transaction adds: with 7 us round trips,
 * the argument's way ran at 0.52 of a SET at 16 B to the transaction's
 * 0.44, the two were even at 2 KiB, and at 4 KiB the transaction was
 * ahead, 0.46 to 0.40 (with 66 us round trips, even up to 2 KiB).
 */
#define STORE_BY_ARGUMENT_MAX ((size_t)2048)

enum { KEY_VERSION, KEY_WRITER, KEY_READERS, KEY_WAITING, KEY_VALUE, KEY_INCOMING, N_KEYS };
_Static_assert(N_KEYS == SL_REDIS_N_KEYS, "the scripts' keys");

struct redis_state {
	struct sl_redis_address address;
	struct sl_redis_conn conn;
	char *keys[N_KEYS];	/* "sharelite:{NAME}" and its suffixes, as scripts.c's KEYS */
	char *channel;		/* where stores and removal are published */
	char *unlock_channel;	/* where what lets a lock waiter in is */
	char *identity;		/* "host:port/db/NAME": struct sl_opened */
	struct sl_redis_renewer renewer;
	struct sl_redis_waiter waiter;	/* share_wait_change()'s subscriber */
	size_t segment_size;
};

static struct redis_state *state_of(const share_t *share)
{
	return share->state;
}

static void free_names(struct redis_state *st)
{
	int i;

	for (i = 0; i < N_KEYS; i++) {
		free(st->keys[i]);
		st->keys[i] = NULL;
	}
	free(st->channel);
	st->channel = NULL;
	free(st->unlock_channel);
	st->unlock_channel = NULL;
	free(st->identity);
	st->identity = NULL;
}

/* "sharelite:{NAME}" + suffix, allocated. */
static char *key_name(const char *name, const char *suffix)
{
	size_t n = strlen("sharelite:{}") + strlen(name) + strlen(suffix) + 1;
	char *key = malloc(n);

	if (key)
		snprintf(key, n, "sharelite:{%s}%s", name, suffix);
	return key;
}

/* One string for every name of the share: the server and the key. */
static char *identity_of(const struct sl_redis_address *a)
{
	size_t n = strlen(a->host) + strlen(a->name) + 32;
	char *id = malloc(n);

	if (id)
		snprintf(id, n, "%s:%d/%d/%s", a->host, a->port, a->db < 0 ? 0 : a->db, a->name);
	return id;
}

static int make_names(struct redis_state *st)
{
	static const char *const suffix[N_KEYS] = {
		[KEY_VERSION] = "", [KEY_WRITER] = ":writer", [KEY_READERS] = ":readers",
		[KEY_WAITING] = ":waiting", [KEY_VALUE] = ":value", [KEY_INCOMING] = ":incoming",
	};
	const char *name = st->address.name;
	int i, made = 1;

	for (i = 0; i < N_KEYS; i++)
		made &= (st->keys[i] = key_name(name, suffix[i])) != NULL;
	st->channel = key_name(name, ":changed");
	st->unlock_channel = key_name(name, ":unlocked");
	st->identity = identity_of(&st->address);
	if (!made || !st->channel || !st->unlock_channel || !st->identity) {
		free_names(st);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static redisReply *script(struct redis_state *st, enum sl_redis_script which, int retry,
			  int argc, const char **argv, const size_t *lens)
{
	return sl_redis_script(&st->conn, which, retry, (const char *const *)st->keys,
			       argc, argv, lens);
}

/* The integer a script returned, or -1 with errno; a code other than a
 * value, as SL_REDIS_* is, is returned for the caller to read. */
static int script_code(redisReply *reply, long long *code)
{
	if (!reply)
		return -1;
	if (reply->type != REDIS_REPLY_INTEGER) {
		freeReplyObject(reply);
		errno = EPROTO;
		return -1;
	}
	*code = reply->integer;
	freeReplyObject(reply);
	return 0;
}

/* The errno of a code that is not a success. */
static int code_errno(long long code)
{
	switch (code) {
	case SL_REDIS_GONE:
		return EIDRM;
	case SL_REDIS_LOST:
		return ENOLCK;
	case SL_REDIS_NOT_SHARE:
		return EPROTO;
	default:
		return EIO;
	}
}

static int redis_open(const share_t *share, size_t segment_size,
		      const struct timespec *deadline, struct sl_opened *opened)
{
	struct redis_state *st = state_of(share);
	const char *argv[2];
	long long code;
	int err;

	(void)deadline;		/* connecting is bounded by the name's timeout */
	if (sl_redis_address_parse(share->name, &st->address) < 0)
		return -1;
	if (st->address.tls) {
		/* hiredis 0.14, the client here, has no TLS. */
		sl_redis_address_free(&st->address);
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (make_names(st) < 0) {
		sl_redis_address_free(&st->address);
		return -1;
	}
	st->conn.address = &st->address;
	argv[0] = share->flags & IPC_CREAT ? "1" : "0";
	/* IPC_EXCL means something only with IPC_CREAT, as for shmget(2). */
	argv[1] = (share->flags & IPC_CREAT) && (share->flags & IPC_EXCL) ? "1" : "0";
	if (script_code(script(st, SL_SCRIPT_OPEN, 1, 2, argv, NULL), &code) < 0)
		goto fail;
	if (code < 0) {
		errno = code == SL_REDIS_GONE ? ENOENT :
			code == SL_REDIS_EXISTS ? EEXIST : code_errno(code);
		goto fail;
	}
	st->segment_size = segment_size;
	opened->created = code == 1;
	opened->segment_size = segment_size;
	opened->mode = share->mode;
	opened->lock_object_id = 0;
	opened->identity = st->identity;
	return 0;
fail:
	err = errno;
	sl_redis_disconnect(&st->conn);
	free_names(st);
	sl_redis_address_free(&st->address);
	errno = err;
	return -1;
}

static void redis_close(const share_t *share)
{
	struct redis_state *st = state_of(share);

	sl_redis_renewer_stop(&st->renewer);
	sl_redis_waiter_close(&st->waiter);
	sl_redis_disconnect(&st->conn);
	free_names(st);
	sl_redis_address_free(&st->address);
}

/* One try at moving the lease from `from` to `to`, by a caller that will
 * wait if it is taken or not: a script code. */
static int try_lock(struct redis_state *st, int from, int to, int will_wait, long long *code)
{
	char from_s[2] = { (char)('0' + from), '\0' }, to_s[2] = { (char)('0' + to), '\0' };
	char lease[16];
	const char *argv[5] = { st->conn.token, from_s, to_s, lease, will_wait ? "1" : "0" };

	snprintf(lease, sizeof(lease), "%d", st->address.lease_ms);
	/* The token is made on connecting: connect first. Every move is
	 * idempotent for a token, so it may be sent again. */
	if (sl_redis_connect(&st->conn) < 0)
		return -1;
	return script_code(script(st, SL_SCRIPT_LOCK, 1, 5, argv, NULL), code);
}

/* Sleep up to *pause, no later than deadline: 0, or -1 with ETIMEDOUT
 * once it has passed or EINTR. */
static int pause_before_retry(long *pause, const struct timespec *deadline)
{
	struct timespec nap = { 0, *pause };

	if (deadline) {
		struct timespec now;
		long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = deadline_ns_left(deadline, &now, RETRY_MAX_NS);
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (nap.tv_nsec > left)
			nap.tv_nsec = left;
	}
	if (*pause < RETRY_MAX_NS)
		*pause = *pause * 2 < RETRY_MAX_NS ? *pause * 2 : RETRY_MAX_NS;
	return nanosleep(&nap, NULL);
}

/* A wait for the lock ends without it: the writer's mark, if this handle
 * left one, goes, so that readers need not wait for it to expire. */
static int stop_waiting(struct redis_state *st)
{
	int err = errno;
	long long code;

	try_lock(st, 0, 0, 0, &code);
	errno = err;
	return -1;
}

/* The renewal thread follows the lock held: none for none. A thread that
 * cannot start leaves the renewal to each call, and the lock taken. */
static void renew_while_held(struct redis_state *st, int held)
{
	int err = errno;

	if (held)
		sl_redis_renewer_hold(&st->renewer, &st->conn, (const char *const *)st->keys,
				      st->address.lease_ms, held);
	else
		sl_redis_renewer_stop(&st->renewer);
	errno = err;
}

/*
 * Wait until a release is published on sub, or RETRY_MAX_MS, no later than
 * deadline: 0 to try again, or -1 with ETIMEDOUT once it has passed or
 * EINTR. A subscriber that fails is dropped (*sub NULL), and the waiting
 * goes on by pausing.
 */
static int wait_for_release(redisContext **sub, long *pause, const struct timespec *deadline)
{
	struct pollfd pfd;
	void *message = NULL;
	int ms, n;

	if (!*sub)
		return pause_before_retry(pause, deadline);
	if (redisGetReplyFromReader(*sub, &message) != REDIS_OK)
		goto broken;
	if (message) {		/* read already: no need to wait */
		freeReplyObject(message);
		return 0;
	}
	ms = sl_redis_ms_left(deadline);
	if (ms == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (ms < 0 || ms > RETRY_MAX_MS)
		ms = RETRY_MAX_MS;
	pfd.fd = (*sub)->fd;
	pfd.events = POLLIN;
	n = poll(&pfd, 1, ms);
	if (n < 0)
		return -1;	/* EINTR */
	if (n > 0 && redisBufferRead(*sub) != REDIS_OK)
		goto broken;
	return 0;
broken:
	redisFree(*sub);
	*sub = NULL;
	return 0;
}

static int redis_lock(const share_t *share, int from, int to, int flags,
		      const struct timespec *deadline, int *held)
{
	struct redis_state *st = state_of(share);
	int will_wait = !(flags & SL_LOCK_NONBLOCK), subscribed = 0, rc = -1;
	redisContext *sub = NULL;
	long pause = RETRY_FIRST_NS;
	long long code;

	*held = from;
	for (;;) {
		if (try_lock(st, from, to, to ? will_wait : 0, &code) < 0)
			goto out;
		if (code == 1) {
			*held = to;
			renew_while_held(st, to);
			rc = 0;
			goto out;
		}
		if (code != SL_REDIS_BUSY) {
			if (code == SL_REDIS_GONE || code == SL_REDIS_LOST) {
				*held = 0;	/* nothing of ours is left */
				renew_while_held(st, 0);
			}
			errno = code_errno(code);
			goto out;
		}
		if (!will_wait) {
			errno = EWOULDBLOCK;
			goto out;
		}
		/* A blocking upgrade gives LOCK_SH up first, as flock(2)
		 * does, so that two upgraders do not wait for each other. */
		if (from == LOCK_SH && to == LOCK_EX) {
			if (try_lock(st, from, 0, 1, &code) < 0) {
				stop_waiting(st);
				goto out;
			}
			from = 0;
			*held = 0;
			renew_while_held(st, 0);
		}
		/* Subscribed, try again at once: a release published before
		 * the subscription was not heard. */
		if (!subscribed) {
			subscribed = 1;
			sub = sl_redis_subscriber(&st->address, st->unlock_channel);
			if (sub)
				continue;
		}
		/* Here from is 0: stop_waiting() gives up nothing held. */
		while (wait_for_release(&sub, &pause, deadline) < 0) {
			if (errno != EINTR || !(flags & SL_LOCK_RESTART)) {
				stop_waiting(st);
				goto out;
			}
		}
	}
out:
	if (sub) {
		int err = errno;

		redisFree(sub);
		errno = err;
	}
	return rc;
}

/*
 * A large value by SET to KEY_INCOMING, the store script, which renames
 * it onto KEY_VALUE if the store is allowed, and a DEL of KEY_INCOMING,
 * which leaves nothing of a store refused (or of a script that did not
 * run), all in one MULTI/EXEC: no other client sees KEY_INCOMING, and a
 * client that dies before EXEC leaves nothing, as the server drops the
 * commands it queued.
 */
static redisReply *store_through_incoming(struct redis_state *st, const char **argv,
					  const size_t *lens, const void *data, size_t length)
{
	const char *set[3] = { "SET", st->keys[KEY_INCOMING], data };
	const size_t set_lens[3] = { 3, strlen(st->keys[KEY_INCOMING]), length };
	const char *del[2] = { "DEL", st->keys[KEY_INCOMING] };
	const struct sl_redis_cmd before = { 3, set, set_lens }, after = { 2, del, NULL };

	return sl_redis_script_between(&st->conn, SL_SCRIPT_STORE, (const char *const *)st->keys,
				       2, argv, lens, &before, &after);
}

/* Store under the lease of token ("" for none): a script code. */
static int store_with(const share_t *share, const char *token, const void *data,
		      size_t length, long long *code)
{
	struct redis_state *st = state_of(share);
	char lease[16];
	const char *argv[3] = { token, lease, data };
	size_t lens[3] = { strlen(token), 0, length };

	if (length > MAX_VALUE_LENGTH) {
		errno = EFBIG;
		return -1;
	}
	snprintf(lease, sizeof(lease), "%d", st->address.lease_ms);
	lens[1] = strlen(lease);
	/* Not sent again: a store whose reply was lost may have been made. */
	if (length > STORE_BY_ARGUMENT_MAX)
		return script_code(store_through_incoming(st, argv, lens, data, length), code);
	return script_code(script(st, SL_SCRIPT_STORE, 0, 3, argv, lens), code);
}

static int redis_store(const share_t *share, const void *data, size_t length)
{
	struct redis_state *st = state_of(share);
	long long code;

	if (sl_redis_connect(&st->conn) < 0)
		return -1;
	if (store_with(share, st->conn.token, data, length, &code) < 0)
		return -1;
	if (code <= 0) {
		errno = code_errno(code);
		return -1;
	}
	return 0;
}

/* Atomic in the server: it waits only when a lock is held (its lease
 * live), for the core to take LOCK_EX as for any store. */
static int redis_store_unlocked(const share_t *share, const void *data, size_t length)
{
	long long code;

	if (store_with(share, "", data, length, &code) < 0)
		return -1;
	if (code == SL_REDIS_BUSY)
		return SL_STORE_LOCKED;
	if (code <= 0) {
		errno = code_errno(code);
		return -1;
	}
	return 0;
}

/* A version as a script or GET gives it: 1 to UINT_MAX. */
static int valid_version(long long v)
{
	return v >= 1 && (unsigned long long)v <= UINT_MAX;
}

/*
 * The version as a script or a command gives it: an integer, or a string
 * of decimal digits with no sign, space or leading zero (the scripts'
 * share_version() takes the same strings, and no others). 0, or -1 with
 * EPROTO for anything but 1 to UINT_MAX so written.
 */
static int version_of(const redisReply *r, unsigned int *version)
{
	long long v = 0;

	if (r->type == REDIS_REPLY_INTEGER) {
		v = r->integer;
	} else if (r->type == REDIS_REPLY_STRING && r->len >= 1 && r->len <= 10 &&
		   r->str[0] != '0') {
		for (size_t i = 0; i < r->len && v >= 0; i++)
			v = r->str[i] >= '0' && r->str[i] <= '9' ? v * 10 + (r->str[i] - '0') : -1;
	}
	if (!valid_version(v)) {
		errno = EPROTO;
		return -1;
	}
	*version = (unsigned int)v;
	return 0;
}

/*
 * An allocated room for a value is the reply's own string: hiredis 0.x
 * makes each with malloc(len + 1), a NUL after it (createStringObject()),
 * which is the room sl_fetch_room() would make, so a large value is not
 * copied again. Later versions have allocators of their own: a copy.
 */
static int take_value(struct sl_fetch *f, redisReply *value)
{
	/* Read into f->buf already (sl_redis_command_into()). */
	if (!value->str && !f->allocate)
		return 0;
#if HIREDIS_MAJOR == 0
	if (f->allocate) {
		free(f->buf);
		f->buf = (unsigned char *)value->str;
		f->size = value->len;
		value->str = NULL;	/* freeReplyObject() frees NULL: nothing */
		return 0;
	}
#endif
	if (sl_fetch_room(f, value->len) < 0)
		return -1;
	memcpy(f->buf, value->str, value->len < f->size ? value->len : f->size);
	return 0;
}

/* The value of a {version, value} pair into f: its length, or -1. */
static ssize_t fetch_pair(redisReply *reply, struct sl_fetch *f)
{
	redisReply *value;
	unsigned int version;
	size_t length;

	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
	    version_of(reply->element[0], &version) < 0 ||
	    reply->element[1]->type != REDIS_REPLY_STRING ||
	    reply->element[1]->len > SHARELITE_MAX_LENGTH) {
		errno = EPROTO;
		return -1;
	}
	value = reply->element[1];
	length = value->len;
	if (take_value(f, value) < 0)
		return -1;
	f->version = version;
	return (ssize_t)length;
}

/* The fetch script: it tells a share that is gone from a key that holds
 * something else, which MGET alone cannot. */
static ssize_t fetch_by_script(struct redis_state *st, struct sl_fetch *f)
{
	redisReply *reply = script(st, SL_SCRIPT_FETCH, 1, 0, NULL, NULL);
	ssize_t length;
	int err;

	if (!reply)
		return -1;
	if (reply->type == REDIS_REPLY_INTEGER) {
		errno = code_errno(reply->integer);
		length = -1;
	} else {
		length = fetch_pair(reply, f);
	}
	err = errno;
	freeReplyObject(reply);
	errno = err;
	return length;
}

/*
 * A fetch needs no lock: MGET reads the version and the value in one
 * step, a command where a script would cost the server a call into Lua
 * and a copy of the value each way. MGET gives nil for a key that is not
 * there and for one of another type alike: the script is asked then, and
 * says whether the share is gone or a key is not a share's.
 */
static ssize_t redis_fetch(const share_t *share, struct sl_fetch *f)
{
	struct redis_state *st = state_of(share);
	const char *argv[3] = { "MGET", st->keys[KEY_VERSION], st->keys[KEY_VALUE] };
	const struct sl_redis_into into = { f->buf, f->size, 1 };
	redisReply *reply = f->allocate ? sl_redis_command(&st->conn, 1, 3, argv, NULL) :
			    sl_redis_command_into(&st->conn, 3, argv, &into);
	ssize_t length;
	int err;

	if (!reply)
		return -1;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
	    (reply->element[0]->type == REDIS_REPLY_NIL ||
	     reply->element[1]->type == REDIS_REPLY_NIL)) {
		freeReplyObject(reply);
		return fetch_by_script(st, f);
	}
	length = fetch_pair(reply, f);
	err = errno;
	freeReplyObject(reply);
	errno = err;
	return length;
}

static int redis_version(const share_t *share, unsigned int *version)
{
	struct redis_state *st = state_of(share);
	const char *argv[2] = { "GET", st->keys[KEY_VERSION] };
	redisReply *reply = sl_redis_command(&st->conn, 1, 2, argv, NULL);
	int rc;

	if (!reply)
		return -1;
	if (reply->type == REDIS_REPLY_NIL) {
		freeReplyObject(reply);
		errno = EIDRM;
		return -1;
	}
	/* A string: an integer reply here is no share's key. */
	if (reply->type != REDIS_REPLY_STRING) {
		freeReplyObject(reply);
		errno = EPROTO;
		return -1;
	}
	rc = version_of(reply, version);
	freeReplyObject(reply);
	return rc;
}

static int redis_num_segments(const share_t *share)
{
	(void)share;
	return 1;	/* one key holds the value */
}

static int redis_stat(const share_t *share, int held, struct share_info *info)
{
	struct redis_state *st = state_of(share);
	redisReply *reply = script(st, SL_SCRIPT_STAT, 1, 0, NULL, NULL);
	size_t i;

	(void)held;
	if (!reply)
		return -1;
	if (reply->type == REDIS_REPLY_INTEGER) {
		int err = code_errno(reply->integer);

		freeReplyObject(reply);
		errno = err;
		return -1;
	}
	for (i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++)
		if (reply->element[i]->type != REDIS_REPLY_INTEGER || reply->element[i]->integer < 0)
			break;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4 || i != 4 ||
	    !valid_version(reply->element[0]->integer) ||
	    reply->element[2]->integer > INT_MAX) {
		freeReplyObject(reply);
		errno = EPROTO;
		return -1;
	}
	info->shmid = -1;
	info->semid = -1;
	info->version = (unsigned int)reply->element[0]->integer;
	info->length = (size_t)reply->element[1]->integer;
	info->readers = (int)reply->element[2]->integer;
	info->writer = reply->element[3]->integer != 0;
	info->writers_waiting = -1;
	info->segments = 1;
	info->segment_size = st->segment_size;
	info->mode = share->mode;
	freeReplyObject(reply);
	return 0;
}

static int redis_remove(const share_t *share)
{
	struct redis_state *st = state_of(share);
	const char *argv[1] = { st->conn.token };
	long long code;

	if (script_code(script(st, SL_SCRIPT_REMOVE, 1, 1, argv, NULL), &code) < 0)
		return -1;
	if (code != 1) {
		errno = code_errno(code);
		return -1;
	}
	renew_while_held(st, 0);	/* the lock went with the share */
	return 0;
}

/* Who else has a Redis share open is not known: a close that would remove
 * the share if it were the last gives its lock back and keeps it. */
static int redis_remove_if_last(const share_t *share, int held, int *now)
{
	*now = held;
	if (held && redis_lock(share, held, 0, SL_LOCK_RESTART, NULL, now) < 0)
		return -1;
	return 0;
}


/*
 * Subscribed first, then the version read: a store after the read is
 * published to the subscription, so none falls between the two. Each
 * message only says "look again": the version decides. The subscriber is
 * the handle's, kept from one wait to the next (waiter.c).
 */
static int redis_wait_change(const share_t *share, unsigned int version,
			     const struct timespec *deadline)
{
	struct redis_state *st = state_of(share);
	unsigned int now;
	int made, heard;

	if (sl_redis_waiter_ready(&st->waiter, &st->address, st->channel, &made) < 0)
		return -1;
	for (;;) {
		if (redis_version(share, &now) < 0)
			return -1;
		if (now != version)
			return 1;
		heard = sl_redis_waiter_listen(&st->waiter, deadline);
		if (heard == 0)
			return 0;
		if (heard > 0)
			continue;
		/* A kept subscriber that broke while this wait listened (the
		 * server restarted) is made again once, and the version read
		 * again: a store may have gone unheard. A new one that fails
		 * fails the wait, as does a signal. */
		if (st->waiter.ctx || made)
			return -1;
		if (sl_redis_waiter_ready(&st->waiter, &st->address, st->channel, &made) < 0)
			return -1;
	}
}

const struct sl_format sl_format_redis = {
	.name = "redis",
	.id = SHARE_FORMAT_REDIS,
	.state_size = sizeof(struct redis_state),
	.probe = NULL,
	.open = redis_open,
	.close = redis_close,
	.lock = redis_lock,
	.store = redis_store,
	.fetch = redis_fetch,
	.version = redis_version,
	.num_segments = redis_num_segments,
	.stat = redis_stat,
	.remove = redis_remove,
	.remove_if_last = redis_remove_if_last,
	.store_unlocked = redis_store_unlocked,
	.fetch_unlocked = redis_fetch,
	.wait_change = redis_wait_change,
};

/*
 * redis_table.c - the Redis table: store, fetch and fetch_into on a share
 * on a Redis server, taking turns with a bare hiredis SET and GET of the
 * same value on one connection of their own; then share_wait_change's
 * wake-up beside a bare PUBLISH read by a subscriber.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <hiredis/hiredis.h>

#include "redis/redis.h"
#include "cleanup.h"
#include "ops.h"
#include "redis_table.h"
#include "report.h"
#include "targets.h"
#include "wake.h"

/* A bare connection and the key its SET and GET use. */
struct floor_ctx {
	redisContext *ctx;
	const char *key;
	const struct value_ctx *v;
};

/* The reply if it is of the type wanted, else NULL with errno (freed). */
static redisReply *reply_of(redisContext *ctx, redisReply *reply, int type)
{
	if (!reply) {
		errno = ctx->err == REDIS_ERR_IO && errno ? errno : EIO;
		return NULL;
	}
	if (reply->type != type) {
		errno = reply->type == REDIS_REPLY_ERROR ? EIO : EPROTO;
		freeReplyObject(reply);
		return NULL;
	}
	return reply;
}

/* One command, its reply of the type wanted freed: 0, or -1 with errno. */
static int command(redisContext *ctx, int type, int argc, const char **argv, const size_t *lens)
{
	redisReply *reply = reply_of(ctx, redisCommandArgv(ctx, argc, argv, lens), type);

	if (!reply)
		return -1;
	freeReplyObject(reply);
	return 0;
}

/* A connection to the address's server, authenticated and on its db. */
static redisContext *bare_connect(const struct sl_redis_address *a)
{
	struct timeval tv = { a->timeout_ms / 1000, (a->timeout_ms % 1000) * 1000 };
	redisContext *ctx = redisConnectWithTimeout(a->host, a->port, tv);
	char db[16];
	const char *auth[3] = { "AUTH", a->user ? a->user : a->password, a->password };
	const char *select[2] = { "SELECT", db };

	if (!ctx || ctx->err || redisSetTimeout(ctx, tv) != REDIS_OK) {
		errno = ctx && ctx->err == REDIS_ERR_IO && errno ? errno : ECONNREFUSED;
		goto fail;
	}
	if (a->password && command(ctx, REDIS_REPLY_STATUS, a->user ? 3 : 2, auth, NULL) < 0)
		goto fail;
	snprintf(db, sizeof(db), "%d", a->db);
	if (a->db >= 0 && command(ctx, REDIS_REPLY_STATUS, 2, select, NULL) < 0)
		goto fail;
	return ctx;
fail:
	if (ctx) {
		int err = errno;

		redisFree(ctx);
		errno = err;
	}
	return NULL;
}

static int loop_bare_set(void *ctx, long iterations)
{
	struct floor_ctx *f = ctx;
	const char *argv[3] = { "SET", f->key, f->v->value };
	size_t lens[3] = { 3, strlen(f->key), f->v->size };

	while (iterations-- > 0)
		if (command(f->ctx, REDIS_REPLY_STATUS, 3, argv, lens) < 0)
			return -1;
	return 0;
}

static int loop_bare_get(void *ctx, long iterations)
{
	struct floor_ctx *f = ctx;
	const char *argv[2] = { "GET", f->key };

	while (iterations-- > 0) {
		redisReply *reply = reply_of(f->ctx, redisCommandArgv(f->ctx, 2, argv, NULL),
					     REDIS_REPLY_STRING);

		if (!reply)
			return -1;
		if (reply->len != f->v->size) {
			freeReplyObject(reply);
			errno = EPROTO;
			return -1;
		}
		freeReplyObject(reply);
	}
	return 0;
}

/* The value in the share and on the floor's key, then all five taking turns. */
static int run_size(share_t *share, struct floor_ctx *f, size_t size,
		    const struct bench_timing *t, const char **step)
{
	struct value_ctx v;
	const char *set[3] = { "SET", f->key, NULL };
	size_t lens[3] = { 3, strlen(f->key), size };
	const struct bench_case *failed;
	struct bench_case cases[] = {
		{ "SET", loop_bare_set, f, { 0, 0 } },
		{ "GET", loop_bare_get, f, { 0, 0 } },
		{ "share_store", loop_store, &v, { 0, 0 } },
		{ "share_fetch", loop_fetch, &v, { 0, 0 } },
		{ "share_fetch_into", loop_fetch_into, &v, { 0, 0 } },
	};
	int rc, i, err;

	*step = "allocating the value";
	if (value_ctx_new(&v, size, -1) < 0)
		return -1;
	v.share = share;
	f->v = &v;
	set[2] = v.value;
	*step = "storing the value on the Redis server";
	rc = share_store(share, v.value, size);
	if (rc == 0)
		rc = command(f->ctx, REDIS_REPLY_STATUS, 3, set, lens);
	if (rc == 0 && (rc = bench_measure(cases, 5, t, &failed)) < 0 && failed)
		*step = failed->name;
	if (rc == 0) {
		report_redis_row(size, &cases[0], NULL, 0, 0);
		report_redis_row(size, &cases[1], NULL, 0, 0);
		report_redis_row(size, &cases[2], "SET", cases[0].result.rate, REDIS_STORE_TARGET);
		for (i = 3; i < 5; i++)
			report_redis_row(size, &cases[i], "GET", cases[1].result.rate,
					 REDIS_FETCH_TARGET);
	}
	err = errno;
	value_ctx_free(&v);
	f->v = NULL;
	errno = err;
	return rc;
}

/* Send what the context has buffered, without waiting for a reply. */
static int flush(redisContext *ctx)
{
	int done = 0;

	while (!done)
		if (redisBufferWrite(ctx, &done) != REDIS_OK)
			return -1;
	return 0;
}

/* Seconds from sending PUBLISH on pub to reading its message on sub. */
static int publish_latencies(redisContext *pub, redisContext *sub, const char *channel,
			     int samples, double *latency)
{
	int k;

	for (k = 0; k < samples; k++) {
		void *message = NULL, *count = NULL;
		double start = bench_now();

		if (redisAppendCommand(pub, "PUBLISH %s 1", channel) != REDIS_OK ||
		    flush(pub) < 0 || redisGetReply(sub, &message) != REDIS_OK) {
			errno = EIO;
			return -1;
		}
		latency[k] = bench_now() - start;
		freeReplyObject(message);
		if (!reply_of(pub, redisGetReply(pub, &count) == REDIS_OK ? count : NULL,
			      REDIS_REPLY_INTEGER))
			return -1;
		freeReplyObject(count);
		if (bench_signal) {
			errno = EINTR;
			return -1;
		}
	}
	return 0;
}

/* The PUBLISH floor: a second connection subscribed to the channel. */
static int run_publish(const struct sl_redis_address *a, redisContext *pub,
		       const char *channel, int samples, struct wake_result *r)
{
	const char *subscribe[2] = { "SUBSCRIBE", channel };
	double *latency = malloc((size_t)samples * sizeof(*latency));
	redisContext *sub = bare_connect(a);
	int rc = -1, err;

	if (latency && sub && command(sub, REDIS_REPLY_ARRAY, 2, subscribe, NULL) == 0)
		rc = publish_latencies(pub, sub, channel, samples, latency);
	else if (!latency)
		errno = ENOMEM;
	err = errno;
	if (rc == 0)
		wake_summarise(latency, samples, r);
	if (sub)
		redisFree(sub);
	free(latency);
	errno = err;
	return rc;
}

static int run_wake(const struct sl_redis_address *a, share_t *share, redisContext *pub,
		    const char *channel, const struct bench_options *o, const char **step)
{
	struct wake_result floor, lib;
	int samples = wake_samples(&o->timing);

	*step = "timing PUBLISH";
	if (run_publish(a, pub, channel, samples, &floor) < 0)
		return -1;
	*step = "timing share_wait_change on the Redis share";
	if (bench_wake(share, samples, WAKE_SETTLE_REDIS, &lib) < 0)
		return -1;
	report_redis_wake_header();
	report_redis_wake_row("PUBLISH", &floor, 0);
	report_redis_wake_row("share_wait_change", &lib, 1);
	return 0;
}

/* "sharelite-bench:{NAME}" + suffix, allocated: beside the share's keys,
 * in the same hash slot. */
static char *floor_name(const char *name, const char *suffix)
{
	size_t n = strlen(name) + strlen(suffix) + sizeof("sharelite-bench:{}");
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "sharelite-bench:{%s}%s", name, suffix);
	return s;
}

static int run_all(const struct bench_options *o, const struct sl_redis_address *a,
		   share_t *share, struct floor_ctx *f, const char *channel, const char **step)
{
	int i;

	report_redis_header(NULL, o->redis_url);
	for (i = 0; i < o->nsizes; i++)
		if (run_size(share, f, o->sizes[i], &o->timing, step) < 0)
			return -1;
	return run_wake(a, share, f->ctx, channel, o, step);
}

int bench_redis(const struct bench_options *o, const char **step)
{
	struct sl_redis_address a;
	struct floor_ctx f = { NULL, NULL, NULL };
	share_t *share = NULL;
	char *key = NULL, *channel = NULL;
	const char *claim[4] = { "SET", NULL, "", "NX" };
	redisReply *reply;
	int rc = -1, err, claimed = 0;

	if (!o->redis_url) {
		report_redis_header("not asked for (--redis URL)", NULL);
		return 0;
	}
	*step = "reading the --redis URL";
	if (sl_redis_address_parse(o->redis_url, &a) < 0)
		return -1;
	key = floor_name(a.name, ":floor");
	channel = floor_name(a.name, ":publish");
	if (!key || !channel) {
		errno = ENOMEM;
		goto out;
	}
	*step = "connecting to the Redis server";
	f.key = claim[1] = key;
	f.ctx = bare_connect(&a);
	if (!f.ctx)
		goto out;
	/* Neither the floor's key nor the share may be someone's already. */
	*step = "claiming the floor's key";
	reply = redisCommandArgv(f.ctx, 4, claim, NULL);
	if (reply && reply->type == REDIS_REPLY_NIL) {
		freeReplyObject(reply);
		errno = EEXIST;
		goto out;
	}
	reply = reply_of(f.ctx, reply, REDIS_REPLY_STATUS);
	if (!reply)
		goto out;
	freeReplyObject(reply);
	claimed = 1;
	*step = "creating the Redis share";
	share = share_open(o->redis_url, 0, IPC_CREAT | IPC_EXCL | 0600);
	if (share)
		rc = run_all(o, &a, share, &f, channel, step);
out:
	err = errno;
	if (claimed) {
		const char *del[2] = { "DEL", key };

		/* After a failure the connection may be broken: a new one. */
		if (rc < 0 && f.ctx) {
			redisFree(f.ctx);
			f.ctx = bare_connect(&a);
		}
		if (f.ctx)
			command(f.ctx, REDIS_REPLY_INTEGER, 2, del, NULL);
	}
	if (share) {
		share_remove(share);
		share_close(share);
	}
	if (f.ctx)
		redisFree(f.ctx);
	free(key);
	free(channel);
	sl_redis_address_free(&a);
	errno = err;
	return rc;
}

/*
 * lmdb_peer.c - LMDB as the peer: one key in the main database of a private
 * environment on tmpfs, opened MDB_NOSYNC | MDB_WRITEMAP (no msync, no
 * fsync: memory alone, as a share is; MDB_NOMETASYNC adds nothing to
 * MDB_NOSYNC). A put is a write transaction of its own, committed; a get
 * renews a read transaction kept for the purpose, copies the value out
 * (LMDB's pointer is good only while the transaction lives) and resets it,
 * as a reader that keeps its transaction handle does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <lmdb.h>

#include "cleanup.h"
#include "lmdb_peer.h"

/* The map holds the live value, the previous one (the last commit's
 * snapshot), the one being written and the one whose pages are being
 * reused, with room to spare: tmpfs gives pages only as they are touched. */
#define MAP_VALUES 4
#define MAP_SLACK ((size_t)16 << 20)

struct lmdb_peer {
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *reader;	/* reset between gets, renewed by each */
	struct value_ctx *v;
};

static MDB_val value_key = { 5, (void *)"value" };

/* An LMDB error as errno: a system error is one; LMDB's own are printed. */
static int failed(const char *call, int rc)
{
	if (rc > 0) {
		errno = rc;
		return -1;
	}
	fprintf(stderr, "sharelite-bench: %s: %s\n", call, mdb_strerror(rc));
	errno = rc == MDB_MAP_FULL ? ENOSPC : EIO;
	return -1;
}

/* /dev/shm (tmpfs), else $TMPDIR, else /tmp: the first with room. */
static const char *roomy_parent(size_t need)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *parents[] = { "/dev/shm", tmpdir && *tmpdir ? tmpdir : "/tmp" };
	size_t i;

	for (i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		struct statvfs fs;

		if (statvfs(parents[i], &fs) == 0 &&
		    (double)fs.f_bavail * (double)fs.f_frsize >= (double)need)
			return parents[i];
	}
	return NULL;
}

static int open_env(struct lmdb_peer *p, const char *dir, size_t mapsize)
{
	MDB_txn *txn;
	int rc = mdb_env_create(&p->env);

	if (rc == 0)
		rc = mdb_env_set_mapsize(p->env, mapsize);
	/* MDB_NOTLS: the read transaction is the handle's, not the thread's,
	 * which also writes between two gets. */
	if (rc == 0)
		rc = mdb_env_open(p->env, dir, MDB_NOSYNC | MDB_WRITEMAP | MDB_NOTLS, 0600);
	if (rc == 0)
		rc = mdb_txn_begin(p->env, NULL, 0, &txn);
	if (rc == 0) {
		rc = mdb_dbi_open(txn, NULL, 0, &p->dbi);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	if (rc == 0)
		rc = mdb_txn_begin(p->env, NULL, MDB_RDONLY, &p->reader);
	if (rc == 0)
		mdb_txn_reset(p->reader);
	return rc;
}

struct lmdb_peer *lmdb_peer_open(size_t largest, char *note, size_t len)
{
	struct lmdb_peer *p;
	const char *parent, *dir;
	size_t mapsize;
	int major, minor, patch, rc;

	if (largest > (SIZE_MAX - MAP_SLACK) / MAP_VALUES) {
		snprintf(note, len, "LMDB: not measured: no map holds values of %zu bytes", largest);
		return NULL;
	}
	mapsize = MAP_VALUES * largest + MAP_SLACK;
	parent = roomy_parent(mapsize);
	if (!parent) {
		snprintf(note, len, "LMDB: not measured: neither /dev/shm nor $TMPDIR has %zu MiB free",
			 mapsize >> 20);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	dir = p ? cleanup_dir_new(parent) : NULL;
	if (!dir) {
		snprintf(note, len, "LMDB: not measured: a directory in %s: %s", parent,
			 strerror(errno));
		free(p);
		return NULL;
	}
	rc = open_env(p, dir, mapsize);
	if (rc != 0) {
		snprintf(note, len, "LMDB: not measured: %s", mdb_strerror(rc));
		lmdb_peer_close(p);
		return NULL;
	}
	mdb_version(&major, &minor, &patch);
	snprintf(note, len, "LMDB %d.%d.%d in a private environment in %s", major, minor, patch,
		 parent);
	return p;
}

void lmdb_peer_close(struct lmdb_peer *p)
{
	if (!p)
		return;
	if (p->reader)
		mdb_txn_abort(p->reader);
	if (p->env)
		mdb_env_close(p->env);
	cleanup_dir_remove();
	free(p);
}

static int put_once(struct lmdb_peer *p)
{
	MDB_val data = { p->v->size, (void *)p->v->value };
	MDB_txn *txn;
	int rc = mdb_txn_begin(p->env, NULL, 0, &txn);

	if (rc != 0)
		return failed("mdb_txn_begin", rc);
	rc = mdb_put(txn, p->dbi, &value_key, &data, 0);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return failed("mdb_put", rc);
	}
	rc = mdb_txn_commit(txn);
	return rc != 0 ? failed("mdb_txn_commit", rc) : 0;
}

/*
 * One get in the renewed read transaction: the value copied into malloc'd
 * length + 1 bytes, as share_fetch() returns it, then freed; or into the
 * buffer, as share_fetch_into(). Another length means the value was lost.
 */
static int get_once(struct lmdb_peer *p, int allocate)
{
	size_t size = p->v->size;
	unsigned char *to = NULL;
	MDB_val data;
	int rc = mdb_txn_renew(p->reader);

	if (rc != 0)
		return failed("mdb_txn_renew", rc);
	rc = mdb_get(p->reader, p->dbi, &value_key, &data);
	if (rc == 0 && data.mv_size == size) {
		to = allocate ? malloc(size + 1) : p->v->buf;
		if (to)
			memcpy(to, data.mv_data, size);
	}
	mdb_txn_reset(p->reader);
	if (rc != 0)
		return failed("mdb_get", rc);
	if (data.mv_size != size) {
		errno = EBADMSG;
		return -1;
	}
	if (!to)
		return -1;
	copy_done(to, size, allocate);
	return 0;
}

static int loop_lmdb_put(void *ctx, long iterations)
{
	while (iterations-- > 0)
		if (put_once(ctx) < 0)
			return -1;
	return 0;
}

static int loop_lmdb_get(void *ctx, long iterations)
{
	while (iterations-- > 0)
		if (get_once(ctx, 1) < 0)
			return -1;
	return 0;
}

static int loop_lmdb_get_into(void *ctx, long iterations)
{
	while (iterations-- > 0)
		if (get_once(ctx, 0) < 0)
			return -1;
	return 0;
}

int lmdb_peer_cases(struct lmdb_peer *p, struct value_ctx *v,
		    struct bench_case cases[LMDB_PEER_CASES])
{
	const struct bench_case peers[LMDB_PEER_CASES] = {
		{ "LMDB put", loop_lmdb_put, p, { 0, 0 } },
		{ "LMDB get, malloc'd copy", loop_lmdb_get, p, { 0, 0 } },
		{ "LMDB get, copy to buffer", loop_lmdb_get_into, p, { 0, 0 } },
	};

	p->v = v;
	if (put_once(p) < 0)
		return -1;
	memcpy(cases, peers, sizeof(peers));
	return 0;
}

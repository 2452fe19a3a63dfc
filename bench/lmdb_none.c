/*
 * lmdb_none.c - the peer where configure found no liblmdb, or was told
 * --without-lmdb: none, and the report says so.
 */
#include <errno.h>
#include <stdio.h>

#include "lmdb_peer.h"

struct lmdb_peer *lmdb_peer_open(size_t largest, char *note, size_t len)
{
	(void)largest;
	snprintf(note, len, "LMDB: not built in (configure found no liblmdb, or --without-lmdb)");
	return NULL;
}

void lmdb_peer_close(struct lmdb_peer *peer)
{
	(void)peer;
}

int lmdb_peer_cases(struct lmdb_peer *peer, struct value_ctx *v,
		    struct bench_case cases[LMDB_PEER_CASES])
{
	(void)peer;
	(void)v;
	(void)cases;
	errno = ENOSYS;
	return -1;
}

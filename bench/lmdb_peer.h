/*
 * lmdb_peer.h - LMDB, the peer the native format is held against: the same
 * values put and got through a private environment on tmpfs, one
 * transaction per call. Built where configure finds liblmdb
 * (bench/lmdb_peer.c); without it (bench/lmdb_none.c) there is no peer.
 */
#ifndef BENCH_LMDB_PEER_H
#define BENCH_LMDB_PEER_H

#include <stddef.h>

#include "ops.h"
#include "timing.h"

struct lmdb_peer;

/*
 * A private environment with room for values of up to `largest` bytes, in a
 * new directory under /dev/shm (else $TMPDIR, else /tmp) removed at exit.
 * NULL when LMDB is not measured; either way `note` gets a line for the
 * report: what was opened where, "not built in", or why it was not opened.
 */
struct lmdb_peer *lmdb_peer_open(size_t largest, char *note, size_t len);
/* Close the environment and remove its directory; NULL is fine. */
void lmdb_peer_close(struct lmdb_peer *peer);

#define LMDB_PEER_CASES 3
/*
 * Put v's value once, then fill cases[0..2] with the loops of the peers of
 * store, fetch and fetch_into on it: put, get into malloc'd size + 1 bytes,
 * get into v's buffer. -1 with errno.
 */
int lmdb_peer_cases(struct lmdb_peer *peer, struct value_ctx *v,
		    struct bench_case cases[LMDB_PEER_CASES]);

#endif /* BENCH_LMDB_PEER_H */

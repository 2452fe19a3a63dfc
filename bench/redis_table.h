/*
 * redis_table.h - the Redis table of sharelite-bench(1): a share on a Redis
 * server (share_open(3)) held against bare hiredis commands on the same
 * server. Built where configure found hiredis (bench/redis_table.c); without it
 * (bench/redis_none.c) the table says so.
 */
#ifndef BENCH_REDIS_TABLE_H
#define BENCH_REDIS_TABLE_H

#include "options.h"

/*
 * Measure and print the table for the share that o->redis_url names,
 * which must not exist yet (nor its floor key); both are removed at the
 * end. With no URL the table only says it was not asked for. -1 with
 * errno, *step saying what failed.
 */
int bench_redis(const struct bench_options *o, const char **step);

#endif /* BENCH_REDIS_TABLE_H */

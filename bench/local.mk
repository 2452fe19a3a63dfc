# bench: sharelite-bench(1), the benchmark (`make bench`, or
# `sharelite bench`), and a smoke test that it runs and prints every row.
bin_PROGRAMS += bench/sharelite-bench
bench_sharelite_bench_SOURCES = \
	bench/main.c \
	bench/options.c bench/options.h \
	bench/timing.c bench/timing.h \
	bench/pin.c bench/pin.h \
	bench/ops.c bench/ops.h \
	bench/readers.c bench/readers.h \
	bench/report.c bench/report.h \
	bench/cleanup.c bench/cleanup.h \
	bench/native.c bench/native.h \
	bench/targets.c bench/targets.h \
	bench/wake.c bench/wake.h \
	bench/lmdb_peer.h bench/redis_table.h
bench_sharelite_bench_CFLAGS = $(AM_CFLAGS)
bench_sharelite_bench_LDADD = src/libsharelite.la
# LMDB, the peer, where configure found liblmdb; else no peer rows.
if HAVE_LMDB
bench_sharelite_bench_SOURCES += bench/lmdb_peer.c
bench_sharelite_bench_CFLAGS += $(LMDB_CFLAGS)
bench_sharelite_bench_LDADD += $(LMDB_LIBS)
else
bench_sharelite_bench_SOURCES += bench/lmdb_none.c
endif
# The Redis table where configure found hiredis; the floor's connection
# reads the --redis URL with the library's own parser.
if HAVE_REDIS
bench_sharelite_bench_SOURCES += bench/redis_table.c src/redis/address.c
bench_sharelite_bench_CFLAGS += $(HIREDIS_CFLAGS)
bench_sharelite_bench_LDADD += $(HIREDIS_LIBS)
else
bench_sharelite_bench_SOURCES += bench/redis_none.c
endif
dist_man_MANS += bench/sharelite-bench.1

TESTS += bench/smoke.sh bench/smoke_redis.sh
EXTRA_DIST += bench/smoke.sh bench/smoke_redis.sh

# Arguments for `make bench`, e.g. make bench BENCH_ARGS=--quick
BENCH_ARGS =
.PHONY: bench
bench: bench/sharelite-bench
	./bench/sharelite-bench $(BENCH_ARGS)

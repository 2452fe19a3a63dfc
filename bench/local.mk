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
	bench/cleanup.c bench/cleanup.h
bench_sharelite_bench_LDADD = src/libsharelite.la
dist_man_MANS += bench/sharelite-bench.1

TESTS += bench/smoke.sh
EXTRA_DIST += bench/smoke.sh

# Arguments for `make bench`, e.g. make bench BENCH_ARGS=--quick
BENCH_ARGS =
.PHONY: bench
bench: bench/sharelite-bench
	./bench/sharelite-bench $(BENCH_ARGS)

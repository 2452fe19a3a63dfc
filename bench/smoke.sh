#!/bin/sh
# The benchmark runs to the end and prints every row. It checks no speed:
# a benchmark never fails on a slow machine.
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT

./bench/sharelite-bench --quick >"$out" || {
	echo "sharelite-bench --quick failed:"; cat "$out"; exit 1
}
cat "$out"

missing=0
expect() {
	if ! grep -Eq "$1" "$out"; then
		echo "missing row: $1"
		missing=1
	fi
}

# configure's answer: LMDB rows, or the line that says there are none
if grep -q '^#define HAVE_LMDB 1' config.h; then
	lmdb=yes
	expect '^  LMDB [0-9.]+ in a private environment in '
else
	lmdb=no
	expect '^  LMDB: not built in'
fi
expect '^semop pair, LOCK_EX sembufs +[0-9]+ +floor'
expect '^semop pair, LOCK_SH sembufs +[0-9]+ +floor'
expect '^share_lock\(LOCK_EX\)\+share_unlock +[0-9]+ +[0-9.]+ '
expect '^share_lock\(LOCK_SH\)\+share_unlock +[0-9]+ +[0-9.]+ '
for size in '16 B' '4 KiB' '64 KiB' '1 MiB' '16 MiB'; do
	expect "^$size +- +memcpy +[0-9]+ "
	expect "^$size +- +malloc\+memcpy\+free +[0-9]+ "
	# the floors through a chain of bare 64 KiB segments
	expect "^$size +64 KiB +lock EX\+memcpy +[0-9]+ "
	expect "^$size +64 KiB +lock SH\+memcpy +[0-9]+ "
	expect "^$size +64 KiB +lock SH\+malloc\+memcpy\+free +[0-9]+ "
	for op in store fetch fetch_into; do
		# once with the default segment, once with one that fits the value
		n=$(grep -Ec "^$size +[0-9]+ [KMG]?i?B(\+16)? +$op +[0-9]+ " "$out")
		[ "$n" -eq 2 ] || { echo "want 2 rows of $op for $size, got $n"; missing=1; }
	done
	# the peers table: the native format's floors, sharelite again, and
	# LMDB's rows where it is built in
	expect "^$size +robust mutex\+seqlock write +[0-9]+ +[0-9.]+ +[^ ]+ +floor "
	expect "^$size +seqlock malloc\+copy\+free +[0-9]+ +[0-9.]+ +[^ ]+ +floor "
	expect "^$size +seqlock copy +[0-9]+ +[0-9.]+ +[^ ]+ +floor "
	expect "^$size +seqlock memcpy, C11 race +[0-9]+ +[0-9.]+ +[^ ]+ +[0-9.e-]+ "
	for op in store fetch fetch_into; do
		expect "^$size +sharelite $op +[0-9]+ +[0-9.]+ +[^ ]+ +[0-9.e-]+ "
	done
	# the native format through the library, each with its targets:
	# judged against LMDB where it is measured, else saying there is none
	if [ "$lmdb" = yes ]; then
		vs_lmdb='PASS|MISS) [0-9.e-]+'
	else
		vs_lmdb='no LMDB)'
	fi
	floor='>=0\.8 floor: (PASS|MISS) [0-9.e-]+$'
	row="^$size +native"
	cells='[0-9]+ +[0-9.]+ +[^ ]+ +[0-9.e-]+ +[0-9]+%'
	if [ "$size" = '16 B' ]; then
		expect "$row store +$cells >=5 LMDB: ($vs_lmdb; $floor"
		expect "$row fetch +$cells >=3 LMDB: ($vs_lmdb; $floor"
		expect "$row fetch_into +$cells >=0\.5 floor: (PASS|MISS) [0-9.e-]+$"
	else
		expect "$row store +$cells >=1 LMDB: ($vs_lmdb; $floor"
		expect "$row fetch +$cells >=1 LMDB: ($vs_lmdb; $floor"
		expect "$row fetch_into +$cells -$"
	fi
	if [ "$lmdb" = yes ]; then
		expect "^$size +LMDB put +[0-9]+ +[0-9.]+ +peer +[0-9.e-]+ "
		expect "^$size +LMDB get, malloc'd copy +[0-9]+ +[0-9.]+ +peer +[0-9.e-]+ "
		expect "^$size +LMDB get, copy to buffer +[0-9]+ +[0-9.]+ +peer +[0-9.e-]+ "
	fi
	for readers in 1 2 4; do
		expect "^$size +$readers +[0-9]+ "
		# native: alone, then beside a writer, with the writer's target
		expect "^$size +$readers +no +[0-9]+ "
		floor=
		[ "$readers" = 1 ] && floor="; floor [0-9.e-]+"
		expect "^$size +$readers +yes +[0-9]+ .* >=0\.5 solo: ((PASS|MISS) [0-9.e-]+|n/a, [0-9]+ processes on [0-9]+ CPUs)$floor$"
	done
	# the native floor's writer beside one reader
	expect "^$size +1 +floor +[0-9]+ +[0-9.]+ +([0-9.e-]+|-) .* -$"
	if [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ]; then
		expect "^$size +2 +no +[0-9]+ .* >=1\.8 1 reader: ((PASS|MISS) [0-9.e-]+|n/a, the 1-reader run measured no fetch)$"
	else
		expect "^$size +2 +no +[0-9]+ .* >=1\.8 1 reader: n/a, 1 CPU$"
	fi
done
# share_wait_change's wake-up latency, median and p99, and its target
expect '^16 B +[0-9]+ +[0-9.]+us +[0-9.]+us +[0-9.]+us median<20us: (PASS|MISS) [0-9.]+us$'
# without --redis, the Redis table only says so
expect '^  Redis: not asked for \(--redis URL\)$'
exit $missing

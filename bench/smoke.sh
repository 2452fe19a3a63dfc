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
	if [ "$lmdb" = yes ]; then
		expect "^$size +LMDB put +[0-9]+ +[0-9.]+ +peer +[0-9.e-]+ "
		expect "^$size +LMDB get, malloc'd copy +[0-9]+ +[0-9.]+ +peer +[0-9.e-]+ "
		expect "^$size +LMDB get, copy to buffer +[0-9]+ +[0-9.]+ +peer +[0-9.e-]+ "
	fi
	for readers in 1 2 4; do
		expect "^$size +$readers +[0-9]+ "
	done
done
exit $missing

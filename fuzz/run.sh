#!/bin/sh
# Build the fuzz targets with libFuzzer, ASan and UBSan (clang) and run each
# for a bounded time on a copy of its corpus: fuzz/fuzz_chain.c (the Perl
# format's chain walk) on fuzz/corpus, fuzz/fuzz_native.c (the native
# format's head) on fuzz/corpus_native. Fails if a fuzzer finds a crash, a
# hang or a sanitizer report, and leaves no SysV object behind.
#
# Usage: fuzz/run.sh [seconds [target...]]    (default 60 s each, both
# targets; FUZZ_CC picks the compiler)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
seconds=${1:-60}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- chain native
cc=${FUZZ_CC:-clang}
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz/run.sh: $cc not found (apt-get install clang)" >&2
	exit 1
fi

# A fuzzer that dies mid-input leaves that input's objects: remove the
# segments it created and the sets it last operated on.
remove_left_by() {
	for id in $(ipcs -m -p | awk -v pid="$1" '$3 == pid { print $1 }'); do
		ipcrm -m "$id" 2>/dev/null || true
	done
	for id in $(ipcs -s | awk '$1 == "0x00000000" { print $2 }'); do
		if ipcs -s -i "$id" 2>/dev/null | awk 'NR > 8 { print $5 }' | grep -qx "$1"; then
			ipcrm -s "$id" 2>/dev/null || true
		fi
	done
}

# Also the keyed sets it made (fuzz_native's keys: 0x4e, then its pid).
remove_keyed_by() {
	prefix=$(printf '0x4e%04x' $(($1 & 0xffff)))
	for id in $(ipcs -s | awk -v p="$prefix" 'index($1, p) == 1 { print $2 }'); do
		ipcrm -s "$id" 2>/dev/null || true
	done
}

run_target() {
	name=$1
	corpus=$2
	dir="$work/$name"
	mkdir "$dir" "$dir/corpus"
	"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I"$top/include" -I"$top/src" \
		-Wl,--wrap=shmget -Wl,--wrap=semget \
		-o "$dir/fuzz_$name" "$here/fuzz_$name.c" "$here/fuzz_common.c" "$top"/src/*.c \
		"$top"/src/ipcsl/*.c "$top"/src/native/*.c -lpthread
	cp "$corpus"/* "$dir/corpus/"

	# One process, no forks: each input's objects are removed before the next.
	status=0
	"$dir/fuzz_$name" -max_total_time="$seconds" -timeout=2 -rss_limit_mb=2048 \
		-max_len=256 -print_final_stats=1 -artifact_prefix="$dir/" \
		"$dir/corpus" 2>"$dir/log" &
	pid=$!
	wait "$pid" || status=$?
	if [ "$status" -ne 0 ]; then
		remove_left_by "$pid"
		remove_keyed_by "$pid"
		tail -n 60 "$dir/log" >&2
		for crash in "$dir"/crash-* "$dir"/timeout-* "$dir"/leak-* "$dir"/oom-*; do
			[ -e "$crash" ] || continue
			echo "fuzz/run.sh: fuzz_$name: $(basename "$crash"), as hex:" >&2
			od -An -tx1 "$crash" >&2
		done
		return 1
	fi
	grep -E '^(stat::number_of_executed_units|Done)' "$dir/log" || true
	echo "fuzz/run.sh: fuzz_$name: no crash in $seconds s"
}

for target; do
	case $target in
	chain) run_target chain "$here/corpus" ;;
	native) run_target native "$here/corpus_native" ;;
	*) echo "fuzz/run.sh: no target $target" >&2; exit 2 ;;
	esac
done

#!/bin/sh
# Build fuzz/fuzz_chain.c with libFuzzer, ASan and UBSan (clang) and run it
# for a bounded time on a copy of fuzz/corpus. Fails if the fuzzer finds a
# crash, a hang or a sanitizer report, and leaves no SysV object behind.
#
# Usage: fuzz/run.sh [seconds]    (default 60; FUZZ_CC picks the compiler)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
seconds=${1:-60}
cc=${FUZZ_CC:-clang}
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_chain.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz/run.sh: $cc not found (apt-get install clang)" >&2
	exit 1
fi

"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$top/include" -I"$top/src" \
	-Wl,--wrap=shmget -Wl,--wrap=semget \
	-o "$work/fuzz_chain" "$here/fuzz_chain.c" "$top"/src/*.c "$top"/src/ipcsl/*.c "$top"/src/native/*.c -lpthread

mkdir "$work/corpus"
cp "$here"/corpus/* "$work/corpus/"

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

# One process, no forks: each input's objects are removed before the next.
status=0
"$work/fuzz_chain" -max_total_time="$seconds" -timeout=2 -rss_limit_mb=2048 \
	-max_len=256 -print_final_stats=1 -artifact_prefix="$work/" \
	"$work/corpus" 2>"$work/log" &
pid=$!
wait "$pid" || status=$?
if [ "$status" -ne 0 ]; then
	remove_left_by "$pid"
	tail -n 60 "$work/log" >&2
	for crash in "$work"/crash-* "$work"/timeout-* "$work"/leak-* "$work"/oom-*; do
		[ -e "$crash" ] || continue
		echo "fuzz/run.sh: $(basename "$crash"), as hex:" >&2
		od -An -tx1 "$crash" >&2
	done
	exit 1
fi
grep -E '^(stat::number_of_executed_units|Done)' "$work/log" || true
echo "fuzz/run.sh: no crash in $seconds s"

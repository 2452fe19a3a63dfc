#!/bin/sh
# test_threads built with ThreadSanitizer, with the library's sources: a
# handle's lock record read by one thread while another writes it is a
# data race that only the sanitizer sees. Skipped (77) where no compiler
# here can build and run a program with -fsanitize=thread.
top=$(cd "${srcdir:-.}" && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

printf 'int main(void) { return 0; }\n' > "$tmp/probe.c"
cc=
for c in clang gcc cc; do
	if "$c" -fsanitize=thread "$tmp/probe.c" -o "$tmp/probe" 2>/dev/null &&
	   "$tmp/probe" 2>/dev/null; then
		cc=$c
		break
	fi
done
[ -n "$cc" ] || { echo "SKIP: no compiler here runs -fsanitize=thread"; exit 77; }

"$cc" -O1 -g -fsanitize=thread -pthread \
	-I"$top/include" -I"$top/src" -I"$top/tests/harness" -I"$top/tests" \
	-o "$tmp/test_threads" "$top/tests/lifecycle/test_threads.c" \
	"$top"/tests/harness/*.c "$top"/src/*.c "$top"/src/ipcsl/*.c "$top"/src/native/*.c \
	-lcmocka || exit 1
# halt_on_error: a race ends the run with TSan's exit code, 66.
TSAN_OPTIONS="halt_on_error=1 $TSAN_OPTIONS" "$tmp/test_threads"

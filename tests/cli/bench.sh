#!/bin/sh
# sharelite bench: runs sharelite-bench with the arguments, the one beside
# the command first, then the one in PATH; a clear error when there is none.
. "${srcdir:-.}/tests/cli/common.sh"

# fake_bench DIR WORD: a sharelite-bench in DIR that says WORD and its args.
fake_bench() {
	mkdir -p "$1"
	printf '#!/bin/sh\necho "%s" "$@"\n' "$2" >"$1/sharelite-bench"
	chmod +x "$1/sharelite-bench"
}

# Directories holding no sharelite-bench, for a PATH that finds none.
sys_path=/usr/bin:/bin
for d in $(echo "$sys_path" | tr : ' '); do
	[ ! -e "$d/sharelite-bench" ] ||
		{ echo "$d/sharelite-bench is installed: cannot test its absence"; exit 77; }
done

# The command to test is a copy in a directory of its own, so that what is
# beside it is up to the test. A libtool wrapper script cannot be copied;
# its program lives in .libs, where no sharelite-bench is built.
if [ "$(head -c 4 "$SHARELITE" | od -An -c | tr -d ' ')" = '177ELF' ]; then
	mkdir "$TMP/solo"
	cp "$SHARELITE" "$TMP/solo/sharelite"
	cmd=$TMP/solo/sharelite
else
	cmd=$SHARELITE
fi

PATH=$TMP/empty:$sys_path run "$cmd" bench --ops 10
expect_error "bench without sharelite-bench" 1 '^sharelite: bench: sharelite-bench not found'
ok "no sharelite-bench: exit 1 and a clear message"

fake_bench "$TMP/inpath" from-path
PATH=$TMP/inpath:$sys_path run "$cmd" bench --ops 10 'two words'
expect_ok "bench from PATH"
[ "$(cat "$OUT")" = 'from-path --ops 10 two words' ] || fail "bench ran: $(cat "$OUT")"
ok "bench runs sharelite-bench from PATH with the arguments"

if [ "$cmd" != "$SHARELITE" ]; then
	fake_bench "$TMP/solo" beside
	PATH=$TMP/inpath:$sys_path run "$cmd" bench -x
	expect_ok "bench beside"
	[ "$(cat "$OUT")" = 'beside -x' ] || fail "bench ran: $(cat "$OUT")"
	ok "the sharelite-bench beside the command comes before PATH's"
fi

done_testing

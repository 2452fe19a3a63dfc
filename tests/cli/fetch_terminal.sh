#!/bin/sh
# sharelite fetch ends the line on a terminal, so that the prompt does not
# follow the value, and adds nothing when its output is a pipe or a file.
# script(1) gives the command a terminal.
. "${srcdir:-.}/tests/cli/common.sh"

command -v script >/dev/null || { echo "no script(1) (util-linux) to make a terminal"; exit 77; }
script -qec true /dev/null >/dev/null 2>&1 || { echo "script(1) cannot open a terminal here"; exit 77; }

# on_terminal ARG...: run the command under test on a terminal, its output
# in $OUT as the terminal got it (the terminal turns \n into \r\n).
on_terminal() {
	run script -qec "$(printf '%s ' "$SHARELITE" "$@")" /dev/null
}

k=$(key 1)
sl store "$k" 'no newline'
expect_ok "store"

sl fetch "$k"
expect_ok "fetch into a file"
printf 'no newline' | cmp -s - "$OUT" || fail "fetch into a file added bytes"
"$SHARELITE" fetch "$k" | od -An -c >"$TMP/piped"
printf 'no newline' | od -An -c | cmp -s - "$TMP/piped" || fail "fetch into a pipe added bytes"
ok "into a file or a pipe, the value exactly"

on_terminal fetch "$k"
[ "$RC" -eq 0 ] || fail "fetch on a terminal: exit $RC"
printf 'no newline\r\n' | cmp -s - "$OUT" || fail "fetch on a terminal: $(od -An -c "$OUT")"
ok "on a terminal, a newline ends the value"

sl store "$k" 'one line
'
on_terminal fetch "$k"
printf 'one line\r\n' | cmp -s - "$OUT" || fail "a value ending in a newline got another: $(od -An -c "$OUT")"
sl fetch "$k"
printf 'one line\n' | cmp -s - "$OUT" || fail "fetch into a file changed a value ending in a newline"
ok "a value that ends its line gets no second newline"

done_testing

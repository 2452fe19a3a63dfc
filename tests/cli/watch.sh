#!/bin/sh
# sharelite watch: the value now, then each new one; --count to stop,
# SIGINT and SIGTERM to end normally, an error when the share goes.
# Each store waits until the watcher has shown the one before, so no
# timing decides the outcome.
. "${srcdir:-.}/tests/cli/common.sh"

k=$(key 1)
sl store "$k" first
expect_ok "store"

"$SHARELITE" watch --count 2 "$k" >"$TMP/w1" 2>"$TMP/w1.err" &
w=$!
background "$w"
wait_for "$TMP/w1" '^first$'
sl store "$k" second
wait_for "$TMP/w1" '^second$'
printf 'third\n' | "$SHARELITE" store "$k" || fail "store third"
wait_exit "$w" || fail "watch --count 2 exited with $?"
printf 'first\nsecond\nthird\n' | cmp -s - "$TMP/w1" || fail "watch printed: $(cat "$TMP/w1")"
[ ! -s "$TMP/w1.err" ] || fail "watch wrote to stderr"
ok "watch prints the value, then each change; --count 2 stops after two"

sl watch --count 0 "$k"
expect_ok "watch --count 0"
[ "$(cat "$OUT")" = third ] || fail "watch --count 0 printed $(cat "$OUT")"
ok "watch --count 0 prints the value and exits"

for sig in TERM INT; do
	"$SHARELITE" watch "$k" >"$TMP/w.$sig" 2>&1 &
	w=$!
	background "$w"
	wait_for "$TMP/w.$sig" '^third$'
	kill -"$sig" "$w"
	wait_exit "$w" || fail "watch ended by SIG$sig with $?"
	ok "SIG$sig ends watch with status 0"
done

# The share removed under the watcher: an error naming the key.
"$SHARELITE" watch "$k" >"$TMP/w3" 2>"$TMP/w3.err" &
w=$!
background "$w"
wait_for "$TMP/w3" '^third$'
sl rm "$k"
expect_ok "rm"
wait_exit "$w"
status=$?
[ "$status" -eq 1 ] || fail "watch of a removed share exited with $status"
[ "$(wc -l <"$TMP/w3.err")" -eq 1 ] || fail "watch of a removed share: want one line on stderr"
grep -q "^sharelite: watch: key $k .*removed" "$TMP/w3.err" ||
	fail "watch of a removed share said: $(cat "$TMP/w3.err")"
ok "watch fails with the key named when the share is removed"

sl watch --count 1
expect_error "watch without key" 2 'watch: missing KEY'
ok "watch wants a key"

done_testing

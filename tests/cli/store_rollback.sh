#!/bin/sh
# A store that fails half way, for want of memory to map the segments it
# needs: a share the command created is removed again with every segment
# it made; an existing share keeps its value.
. "${srcdir:-.}/tests/cli/common.sh"

# 48 MiB fit in the read buffer under the limit, but not buffer and chain.
limit_kb=102400
( ulimit -v "$limit_kb" && "$SHARELITE" --version ) >/dev/null 2>&1 ||
	{ echo "the command cannot run under ulimit -v (a sanitizer build?)"; exit 77; }
head -c 50331648 /dev/zero >"$TMP/big"

k=$(key 1)
( ulimit -v "$limit_kb"; exec "$SHARELITE" store "$k" <"$TMP/big" >"$OUT" 2>"$ERR" ) &
pid=$!
wait "$pid"
RC=$?
expect_error "store beyond the memory limit" 1 "^sharelite: store: key $k \\($(hex "$k")\\): "
! has_shm "$k" && ! has_sem "$k" || fail "a failed store left the share it created"
[ "$(segments_by "$pid")" -eq 0 ] || fail "a failed store left $(segments_by "$pid") segments"
ok "a store that fails removes the share it created, every segment of it"

sl store "$k" 'the old value'
( ulimit -v "$limit_kb"; exec "$SHARELITE" store "$k" <"$TMP/big" >"$OUT" 2>"$ERR" ) &
pid=$!
wait "$pid"
RC=$?
expect_error "store over a share beyond the memory limit" 1 "^sharelite: store: key $k "
[ "$(segments_by "$pid")" -eq 0 ] || fail "a failed store left $(segments_by "$pid") segments"
sl fetch "$k"
[ "$(cat "$OUT")" = 'the old value' ] || fail "a failed store changed the value"
sl info "$k"
[ "$(info_field version)" = 2 ] || fail "a failed store bumped the version"
[ "$(info_field segments)" = 1 ] || fail "a failed store left the chain longer"
ok "a store that fails leaves an existing share's value whole"

done_testing

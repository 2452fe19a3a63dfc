#!/bin/sh
# sharelite on names share_open(3) takes: a share on a redis-server the
# script starts itself (store, fetch, info, watch, rm, a refused connection,
# a password kept out of messages), and sysv:KEY, sysv+native:KEY.
# Skips where redis-server is missing; where the build has no Redis, checks
# the message that says so, then skips.
. "${srcdir:-.}/tests/cli/common.sh"

# SysV names first: they need no server.
k=$(key 1)
sl store "sysv+native:$k" native
expect_ok "store sysv+native:KEY"
sl info "$k"
expect_ok "info of a share stored as sysv+native:KEY"
[ "$(info_field format | cut -d' ' -f1)" = native ] ||
	fail "sysv+native:KEY made a $(info_field format) share"
sl fetch "sysv:$k"
expect_ok "fetch sysv:KEY"
[ "$(cat "$OUT")" = native ] || fail "fetch sysv:KEY printed $(cat "$OUT")"
sl rm "sysv:$k"
expect_ok "rm sysv:KEY"
has_shm "$k" && fail "rm sysv:KEY left the segment"
ok "sysv+native:KEY creates a native share; sysv:KEY fetches and removes it"

sl fetch http://127.0.0.1/x
expect_error "an unknown scheme" 2 "bad key 'http://127.0.0.1/x': a name starts with sysv:"
ok "a name of an unknown scheme is a usage error"

sl ls redis://127.0.0.1/x
expect_error "ls with a Redis name" 2 'ls: lists SysV shares only'
ok "ls says it lists SysV shares only"

if ! has_redis; then
	sl fetch redis://127.0.0.1:1/x
	expect_error "fetch without Redis" 1 \
		'^sharelite: fetch: redis://127.0.0.1:1/x: this sharelite was built without Redis'
	ok "a build without Redis says so"
	echo "SKIP: built without Redis" >&2
	exit 77
fi
command -v redis-server >/dev/null || { echo "SKIP: no redis-server" >&2; exit 77; }

# Nothing listens on a free port: refused at once, and the message says where.
port=$(free_port)
sl fetch "redis://127.0.0.1:$port/x"
expect_error "a refused connection" 1 \
	"^sharelite: fetch: redis://127.0.0.1:$port/x: cannot connect to 127.0.0.1:$port: connection refused$"
sl store "redis://ann:secret@127.0.0.1:$port/x" v
expect_error "a refused connection with a password" 1 \
	"store: redis://ann:\*\*\*@127.0.0.1:$port/x: cannot connect to 127.0.0.1:$port"
grep -q secret "$ERR" && fail "the message showed the password"
ok "a refused connection names the server, and hides the password"

start_redis
url="redis://127.0.0.1:$REDIS_PORT/cli$$"

sl fetch "$url"
expect_error "fetch of no share" 1 "fetch: $url: no such share$"
ok "fetch of a share that does not exist fails"

sl store --native "$url" v
expect_error "store --native on Redis" 2 'store: --native is a SysV memory format'
ok "store --native refuses a Redis name"

sl store "$url" hello
expect_ok "store"
sl fetch "$url"
expect_ok "fetch"
[ "$(cat "$OUT")" = hello ] || fail "fetch printed $(cat "$OUT")"
printf 'a\000b\n\377' >"$TMP/bytes"
"$SHARELITE" store "$url" <"$TMP/bytes" || fail "store from standard input"
sl fetch "$url"
expect_ok "fetch of bytes"
cmp -s "$TMP/bytes" "$OUT" || fail "the bytes came back changed"
ok "store and fetch keep every byte"

sl info "$url"
expect_ok "info"
[ "$(info_field name)" = "$url" ] || fail "info name: $(info_field name)"
[ "$(info_field format | cut -d' ' -f1)" = redis ] || fail "info format: $(info_field format)"
[ "$(info_field length)" = 5 ] || fail "info length: $(info_field length)"
version=$(info_field version)
[ "$(info_field writer)" = no ] || fail "info writer: $(info_field writer)"
info_field readers | grep -q '^0 ' || fail "info readers: $(info_field readers)"
info_field owner | grep -q 'none on a Redis server' || fail "info owner: $(info_field owner)"
sl store "$url" again
sl info "$url"
[ "$(info_field version)" = $((version + 1)) ] ||
	fail "version $(info_field version) after $version and one store"
ok "info shows format, length, version and locks, and says what a server has not"

if has_json; then
	sl store "$url" '{"a":[1]}'
	sl fetch --json "$url"
	expect_ok "fetch --json"
	printf '{\n  "a": [\n    1\n  ]\n}\n' | cmp -s - "$OUT" || fail "fetch --json printed $(cat "$OUT")"
	ok "fetch --json on a Redis share"
fi

sl store "$url" first
"$SHARELITE" watch --count 1 "$url" >"$TMP/w1" 2>"$TMP/w1.err" &
w=$!
background "$w"
wait_for "$TMP/w1" '^first$'
sl store "$url" second
expect_ok "store under a watcher"
wait_exit "$w" || fail "watch --count 1 exited with $?"
printf 'first\nsecond\n' | cmp -s - "$TMP/w1" || fail "watch printed: $(cat "$TMP/w1")"
[ ! -s "$TMP/w1.err" ] || fail "watch wrote to stderr"
ok "watch prints the value, then the change"

"$SHARELITE" watch "$url" >"$TMP/w2" 2>"$TMP/w2.err" &
w=$!
background "$w"
wait_for "$TMP/w2" '^second$'
sl rm "$url"
expect_ok "rm"
wait_exit "$w"
status=$?
[ "$status" -eq 1 ] || fail "watch of a removed share exited with $status"
grep -q "^sharelite: watch: $url: the share was removed" "$TMP/w2.err" ||
	fail "watch of a removed share said: $(cat "$TMP/w2.err")"
sl fetch "$url"
expect_error "fetch after rm" 1 "no such share"
ok "rm removes the share; a watcher says so"

done_testing

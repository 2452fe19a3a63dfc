#!/bin/sh
# sharelite store and fetch: values cross processes byte for byte, whatever
# their size, from the argument or from standard input.
. "${srcdir:-.}/tests/cli/common.sh"

k=$(key 1)

sl store "$k" 'hello from another process'
expect_ok "store from the argument"
[ ! -s "$OUT" ] || fail "store printed something"
sl fetch "$k"
expect_ok "fetch"
[ "$(cat "$OUT")" = 'hello from another process' ] || fail "fetch gave another value"
[ "$(wc -c <"$OUT")" -eq 26 ] || fail "fetch added bytes to the value"
ok "a value from the argument comes back exactly"

# Every byte value, NULs and newlines included, from standard input.
perl -e 'print map { chr } 0..255, 0..255' >"$TMP/bytes"
run "$SHARELITE" store "$k" <"$TMP/bytes"
expect_ok "store from stdin"
sl fetch "$k"
expect_ok "fetch binary"
cmp -s "$TMP/bytes" "$OUT" || fail "binary value changed on the way"
ok "binary bytes from standard input come back exactly"

# Several MiB: a chain of many segments, made and read by separate processes.
head -c 5000000 /dev/urandom >"$TMP/big"
run "$SHARELITE" store "$k" <"$TMP/big"
expect_ok "store 5 MB"
sl fetch "$k"
expect_ok "fetch 5 MB"
cmp -s "$TMP/big" "$OUT" || fail "a 5 MB value changed on the way"
sl info "$k"
expect_ok "info after 5 MB"
# 65536-byte segments hold 65520 bytes each.
[ "$(info_field segments)" -eq $(( (5000000 + 65519) / 65520 )) ] ||
	fail "5 MB take $(info_field segments) segments"
ok "a 5 MB value spans 77 segments and comes back exactly"

# A shorter value shortens the chain again.
sl store "$k" short
expect_ok "store short"
sl info "$k"
[ "$(info_field segments)" -eq 1 ] || fail "the chain was not shortened"
[ "$(info_field length)" -eq 5 ] || fail "length is not 5"
ok "a short value after a long one shortens the chain"

# The empty value, from an empty argument and from empty input.
sl store "$k" ''
expect_ok "store empty argument"
sl fetch "$k"
expect_ok "fetch empty"
[ ! -s "$OUT" ] || fail "the empty value came back non-empty"
sl store "$k" short
run "$SHARELITE" store "$k" </dev/null
expect_ok "store empty stdin"
sl fetch "$k"
[ ! -s "$OUT" ] || fail "an empty standard input stored something"
ok "the empty value round-trips"

# Values that look like options follow --.
sl store "$k" -- --not-an-option
expect_ok "store a value starting with -"
sl fetch "$k"
[ "$(cat "$OUT")" = --not-an-option ] || fail "-- did not protect the value"
ok "-- lets a value start with a dash"

# One share, three spellings of its key.
sl store "$k" 'by decimal'
sl fetch "$(hex "$k")"
expect_ok "fetch by hex key"
[ "$(cat "$OUT")" = 'by decimal' ] || fail "hex key found another share"
sl fetch "$(printf '0X%X' "$k")"
[ "$(cat "$OUT")" = 'by decimal' ] || fail "0X upper case key found another share"
ok "a decimal key and its 0x hex spelling name one share"

# A string key is IPC::ShareLite's: padded with spaces, native byte order.
name=$(name_key)
sl store "$name" 'by name'
expect_ok "store by string key"
want=$(hex "$(string_key "$name")")
sl fetch "$want"
expect_ok "fetch string key by number"
[ "$(cat "$OUT")" = 'by name' ] || fail "string key $name is not $want"
sl info "$name"
info_field key | grep -q "^$(printf '%u' "$want") ($want, \"$name\")\$" ||
	fail "info does not show the key as $want and \"$name\""
ok "a string key is IPC::ShareLite's number, and info names it"

# --size and --mode shape a new share; an existing one keeps its own.
k2=$(key 2)
sl store --size 4096 --mode 0640 "$k2" 'small segments'
expect_ok "store with --size and --mode"
sl info "$k2"
[ "$(info_field 'segment size')" -eq 4096 ] || fail "--size was not used"
[ "$(info_field mode)" = 0640 ] || fail "--mode was not used"
sl store --size 8192 --mode 0600 "$k2" 'again'
expect_ok "store to existing with --size"
sl info "$k2"
[ "$(info_field 'segment size')" -eq 4096 ] || fail "--size changed an existing share"
[ "$(info_field mode)" = 0640 ] || fail "--mode changed an existing share"
[ "$(info_field version)" -eq 3 ] || fail "version is not 3 after two stores"
ok "--size and --mode apply to a new share only"

# A store from a file of many segments at once with small segments.
head -c 100000 /dev/urandom >"$TMP/mid"
run "$SHARELITE" store "$k2" <"$TMP/mid"
sl fetch "$k2"
cmp -s "$TMP/mid" "$OUT" || fail "100 kB in 4 kB segments changed"
sl info "$k2"
[ "$(info_field segments)" -eq $(( (100000 + 4079) / 4080 )) ] || fail "wrong segment count"
ok "small segments chain as the size says"

done_testing

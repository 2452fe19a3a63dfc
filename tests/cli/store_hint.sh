#!/bin/sh
# A store whose chain takes more than 1/32 of the host's segment ids
# (kernel.shmmni) says so on stderr, naming --size; a smaller one says
# nothing. Segments of 64 bytes hold 48 bytes of the value each, so the
# values stay small.
. "${srcdir:-.}/tests/cli/common.sh"

ids=$(cat /proc/sys/kernel/shmmni 2>/dev/null) || { echo "no /proc/sys/kernel/shmmni"; exit 77; }
[ "$ids" -le 32768 ] || { echo "shmmni is $ids: the test would take $((ids / 32)) segments"; exit 77; }
most=$((ids / 32))	# the most segments a store may take without a hint

k=$(key 1)
perl -e 'print "q" x ($ARGV[0] * 48)' "$most" >"$TMP/quiet"
run "$SHARELITE" store --size 64 "$k" <"$TMP/quiet"
expect_ok "a store of $most segments"
sl info "$k"
[ "$(info_field segments)" = "$most" ] || fail "the value takes $(info_field segments) segments, want $most"
ok "no hint at $most segments of $ids"

perl -e 'print "h" x ($ARGV[0] * 48 + 1)' "$most" >"$TMP/loud"
run "$SHARELITE" store "$k" <"$TMP/loud"
[ "$RC" -eq 0 ] || fail "the store failed: exit $RC"
[ ! -s "$OUT" ] || fail "stdout not empty"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "want one line on stderr"
grep -qx "sharelite: store: key $k: the value takes $((most + 1)) of this host's $ids shared memory segments (kernel.shmmni); removed and stored again with --size $((most * 48 + 1 + 16)), one holds it" "$ERR" ||
	fail "the hint for an existing share: $(cat "$ERR")"
sl fetch "$k"
cmp -s "$TMP/loud" "$OUT" || fail "the value with the hint is not the value stored"
ok "a hint at $((most + 1)) segments, and the value stored"

k2=$(key 2)
run "$SHARELITE" store --size 64 "$k2" <"$TMP/loud"
[ "$RC" -eq 0 ] || fail "the store failed: exit $RC"
grep -q "; with --size $((most * 48 + 1 + 16)), one holds it\$" "$ERR" ||
	fail "the hint for a new share: $(cat "$ERR")"
ok "a new share's hint names --size"

done_testing

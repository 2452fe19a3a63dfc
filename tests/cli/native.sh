#!/bin/sh
# The native format through the command: store --native creates it, every
# command works on it, info and ls name it, and --native on a share that
# exists uses that share in its own format, as share_new(3) does.
. "${srcdir:-.}/tests/cli/common.sh"

k=$(key 1)
perl_k=$(key 2)
big=$(key 3)
fake=$(key 4)

# A native value segment has no key, so common.sh's clean-up, which goes
# by keys, would miss one that a failed check left: remove the keyless
# segments that the stores recorded in $TMP/storers made, then clean up.
remove_value_segments() {
	[ -s "$TMP/storers" ] || return 0
	perl -e '
		my %pid = map { $_ => 1 } @ARGV;
		open(my $f, "<", "/proc/sysvipc/shm") or die;
		<$f>;
		while (<$f>) {
			my ($key, $id, $perms, $size, $cpid) = split;
			shmctl($id, 0, 0) if $key == 0 && $pid{$cpid};	# IPC_RMID
		}' $(cat "$TMP/storers")
}
trap 'remove_value_segments; cleanup' EXIT

# nsems KEY: the number of semaphores in the set under KEY.
nsems() {
	awk -v k="$(signed "$1")" 'NR > 1 && $1 == k { print $4 }' /proc/sysvipc/sem
}

sl store --native "$k" 'native value'
expect_ok "store --native"
[ "$(nsems "$k")" = 2 ] || fail "store --native made a set of $(nsems "$k") semaphores, a native share's has 2"
has_shm "$k" || fail "store --native made no head segment"
sl fetch "$k"
expect_ok "fetch of a native share"
[ "$(cat "$OUT")" = 'native value' ] || fail "fetch printed '$(cat "$OUT")'"
ok "store --native creates a native share, and fetch reads it"

sl info "$k"
expect_ok "info of a native share"
[ "$(info_field format)" = "native (libsharelite's own format: Perl's IPC::ShareLite cannot open it)" ] ||
	fail "format line is '$(info_field format)'"
[ "$(info_field format | cut -d' ' -f1)" = native ] || fail "the format's first word is not native"
[ "$(info_field length)" = 12 ] || fail "length"
[ "$(info_field version)" = 2 ] || fail "version of a new native share after one store"
[ "$(info_field segments)" = 1 ] || fail "segments of a short native value"
[ "$(info_field writers\ waiting)" = "not counted on a native share" ] ||
	fail "writers waiting on a native share: '$(info_field 'writers waiting')'"
[ "$(wc -l <"$OUT")" -eq 16 ] || fail "info printed $(wc -l <"$OUT") lines, want 16"
ok "info says the share is native"

# --native on a share that exists: its format stays, as with --size and --mode.
sl store "$perl_k" 'perl value'
sl store --native "$perl_k" 'stored with --native'
expect_ok "store --native on a Perl-format share"
[ "$(nsems "$perl_k")" = 4 ] || fail "store --native changed a Perl-format share's set"
sl info "$perl_k"
[ "$(info_field format | cut -d' ' -f1)" = perl ] || fail "the Perl-format share became '$(info_field format)'"
[ "$(info_field version)" = 3 ] || fail "store --native did not store into the Perl-format share"
sl fetch "$perl_k"
[ "$(cat "$OUT")" = 'stored with --native' ] || fail "fetch printed '$(cat "$OUT")'"
sl store "$k" 'no flag'
expect_ok "store without --native on a native share"
[ "$(nsems "$k")" = 2 ] || fail "a plain store changed the native share's set"
sl fetch "$k"
[ "$(cat "$OUT")" = 'no flag' ] || fail "fetch printed '$(cat "$OUT")'"
ok "an existing share keeps its format, whatever store is given"

sl ls
expect_ok "ls"
head -n 1 "$OUT" | grep -Eq '^KEY +LENGTH +VERSION +SEGMENTS +OWNER +FORMAT +NAME$' ||
	fail "ls header: $(head -n 1 "$OUT")"
line=$(grep "^$(hex "$k") " "$OUT")
echo "$line" | grep -Eq "^$(hex "$k") +7 +3 +1 +$(id -un) +native\$" || fail "ls line of the native share: '$line'"
line=$(grep "^$(hex "$perl_k") " "$OUT")
echo "$line" | grep -Eq "^$(hex "$perl_k") +20 +3 +1 +$(id -un) +perl\$" || fail "ls line of the Perl share: '$line'"
ok "ls lists native shares, and says which format each share has"

# A set of two semaphores and a segment that is not a native head: no share.
foreign_semaphores "$fake" 2
foreign_segment "$fake" 1024
sl ls
grep -q "^$(hex "$fake") " "$OUT" && fail "ls lists a foreign 2-semaphore set and segment"
sl fetch "$fake"
expect_error "fetch of a foreign 2-semaphore key" 1 \
	"^sharelite: fetch: key $fake .*: not a share: the objects under this key are in neither IPC::ShareLite's format nor the native one\$"
has_sem "$fake" && has_shm "$fake" || fail "fetch touched the foreign objects"
ok "objects that look native but are not: not listed, named as no share, untouched"

if has_json; then
	sl store "$k" '{"format":"native","n":[1,2]}'
	sl fetch --json "$k"
	expect_ok "fetch --json of a native share"
	printf '{\n  "format": "native",\n  "n": [\n    1,\n    2\n  ]\n}\n' | cmp -s - "$OUT" ||
		fail "fetch --json printed: $(cat "$OUT")"
	ok "fetch --json reads a native share"
fi

sl store "$k" first
"$SHARELITE" watch --count 1 "$k" >"$TMP/w" 2>"$TMP/w.err" &
w=$!
background "$w"
wait_for "$TMP/w" '^first$'
sl store "$k" second
wait_exit "$w" || fail "watch --count 1 of a native share exited with $?"
printf 'first\nsecond\n' | cmp -s - "$TMP/w" || fail "watch printed: $(cat "$TMP/w")"
[ ! -s "$TMP/w.err" ] || fail "watch wrote to stderr"
ok "watch follows a native share's stores"

"$SHARELITE" watch "$k" >"$TMP/w2" 2>"$TMP/w2.err" &
w=$!
background "$w"
wait_for "$TMP/w2" '^second$'
sl rm "$k"
expect_ok "rm of a native share"
wait_exit "$w"
status=$?
[ "$status" -eq 1 ] || fail "watch of a removed native share exited with $status"
grep -q "^sharelite: watch: key $k .*removed" "$TMP/w2.err" ||
	fail "watch of a removed native share said: $(cat "$TMP/w2.err")"
! has_shm "$k" && ! has_sem "$k" || fail "rm left objects of the native share"
sl fetch "$k"
expect_error "fetch after rm" 1 "key $k \\($(hex "$k")\\): no such share"
ok "rm removes a native share; its watcher fails naming the key"

# A value longer than a slot has a segment of its own (sharelite(7),
# "Native format"): the smallest head holds 64 bytes a slot on x86-64.
head -c 5000 /dev/urandom >"$TMP/value"
"$SHARELITE" store --native --size 320 "$big" <"$TMP/value" &
store_pid=$!
echo "$store_pid" >>"$TMP/storers"
wait "$store_pid" || fail "store --native of 5000 bytes"
[ "$(segments_by "$store_pid")" -eq 2 ] ||
	fail "store --native of 5000 bytes made $(segments_by "$store_pid") segments, want the head and one"
sl fetch "$big"
cmp -s "$TMP/value" "$OUT" || fail "fetch of a long native value differs"
sl info "$big"
[ "$(info_field segments)" = 2 ] || fail "info counts $(info_field segments) segments, want 2"
[ "$(info_field length)" = 5000 ] || fail "length of the long native value"
sl rm "$big"
expect_ok "rm of a native share with a value segment"
[ "$(segments_by "$store_pid")" -eq 0 ] || fail "rm left $(segments_by "$store_pid") segments"
! has_sem "$big" || fail "rm left the semaphore set"
ok "a long value in its own segment: fetch, info and rm deal in the whole share"

sl rm "$perl_k"
expect_ok "rm of the Perl-format share"

done_testing

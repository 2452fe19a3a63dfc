#!/bin/sh
# Every way a command can fail: one line on stderr that names the key,
# nothing on stdout, the documented exit code, and nothing left behind.
. "${srcdir:-.}/tests/cli/common.sh"

none=$(key 1)		# nothing under it
seg=$(key 2)		# a segment that no share owns
sem1=$(key 3)		# a set of one semaphore
sem3=$(key 4)		# a set of three semaphores and no segment
fresh=$(key 5)		# for stores that must create nothing
tiny=$(key 6)		# a set of three and a segment too small for a header
foreign_segment "$seg"
foreign_semaphores "$sem1" 1
foreign_semaphores "$sem3" 3
foreign_semaphores "$tiny" 3
foreign_segment "$tiny" 8

# nothing_under KEY WHAT: no segment and no semaphore set has KEY.
nothing_under() {
	! has_shm "$1" && ! has_sem "$1" || fail "$2 created an object under $(hex "$1")"
}

# objects_as_before: the foreign objects are there, and nothing was added.
objects_as_before() {
	has_shm "$seg" && ! has_sem "$seg" || fail "$1 changed the foreign segment's key"
	has_sem "$sem1" && ! has_shm "$sem1" || fail "$1 changed the 1-semaphore key"
	has_sem "$sem3" && ! has_shm "$sem3" || fail "$1 changed the 3-semaphore key"
}

# An unknown key.
for cmd in fetch info rm watch "fetch --json"; do
	case $cmd in *--json) has_json || continue ;; esac	# json.sh covers it
	sl $cmd "$none"
	expect_error "$cmd of an unknown key" 1 "^sharelite: ${cmd%% *}: key $none \\($(hex "$none")\\): no such share\$"
	nothing_under "$none" "$cmd"
done
ok "an unknown key: exit 1, one line naming it, nothing created"

# Bad key strings, for every command that takes a key.
for bad in toolong '' 0x 0xZZ 0x123456789 0 0x0 4294967296 99999999999999999999; do
	for cmd in fetch info rm watch store; do
		sl $cmd "$bad"
		expect_error "$cmd '$bad'" 2 "^sharelite: bad key '$bad': "
	done
done
ok "bad key strings: exit 2, one line naming the key"

# The largest keys are good keys.
sl fetch 4294967295
expect_error "fetch 4294967295" 1 'key 4294967295 \(0xffffffff\): no such share'
sl fetch 0xFFFFFFFF
expect_error "fetch 0xFFFFFFFF" 1 '^sharelite: fetch: key 0xFFFFFFFF: no such share$'
ok "4294967295 and 0xffffffff are keys; a key typed in hex is not repeated in hex"

# 0x and hex digits is a number, however many leading zeros; too big is not.
sl fetch 0x0000000000ffffffff
expect_error "fetch 0x0000000000ffffffff" 1 '^sharelite: fetch: key 0x0000000000ffffffff: no such share$'
sl fetch 0x100000000
expect_error "fetch 0x100000000" 2 "^sharelite: bad key '0x100000000': a number key is at most 4294967295"
sl fetch 0xg
expect_error "fetch 0xg" 2 "^sharelite: bad key '0xg': not a hexadecimal number\$"
ok "hexadecimal keys"

# A segment under the key with no semaphore set.
for cmd in fetch info rm watch store; do
	sl $cmd "$seg"
	expect_error "$cmd of a foreign segment" 1 \
		"^sharelite: $cmd: key $seg \\($(hex "$seg")\\): not a share: a segment has this key but no semaphore set does\$"
	objects_as_before "$cmd"
done
ok "a foreign segment: exit 1, named, untouched, no semaphore set made for it"

# A semaphore set of the wrong size under the key.
for cmd in fetch info rm watch store; do
	sl $cmd "$sem1"
	expect_error "$cmd of a 1-semaphore set" 1 \
		"^sharelite: $cmd: key $sem1 .*: not a share: the key's semaphore set has 1 semaphores, a share's has 2, 3 or 4\$"
	objects_as_before "$cmd"
done
ok "a foreign semaphore set: exit 1, named, untouched"

# A share's semaphore set with no segment (a creator died half way).
for cmd in fetch info rm watch store; do
	sl $cmd "$sem3"
	expect_error "$cmd of a set without segment" 1 \
		"^sharelite: $cmd: key $sem3 .*: not a share: a semaphore set has this key but no segment does\$"
	objects_as_before "$cmd"
done
ok "a semaphore set without a segment: exit 1, named, untouched"

# A set of three semaphores and a segment, but no room for a header.
for cmd in fetch info rm watch store; do
	sl $cmd "$tiny"
	expect_error "$cmd of a segment too small" 1 \
		"^sharelite: $cmd: key $tiny .*: not a share: the objects under this key are in neither IPC::ShareLite's format nor the native one\$"
	has_sem "$tiny" && has_shm "$tiny" || fail "$cmd removed objects that are no share"
done
ok "a segment too small to be a share's: exit 1, named, untouched"

# Stores that fail create nothing.
for bad in "--size 16" "--size 2147483649" "--size 12ab" "--size -1" \
	"--mode 0" "--mode 0800" "--mode 1777" "--mode rw"; do
	sl store $bad "$fresh" value
	expect_error "store $bad" 2 "^sharelite: store: ${bad%% *} takes"
done
run "$SHARELITE" store "$fresh" <&-
expect_error "store from a closed stdin" 1 "^sharelite: store: key $fresh: cannot read standard input"
run "$SHARELITE" store "$fresh" <"$TMP"
expect_error "store from a directory" 1 "^sharelite: store: key $fresh: cannot read standard input"
sl store "$fresh" one two
expect_error "store of two values" 2 '^sharelite: store: too many arguments'
nothing_under "$fresh" "a failed store"
ok "a store that fails creates nothing"

# Usage errors: exit 2, one line, nothing on stdout.
sl
expect_error "no command" 2 '^sharelite: no command given'
sl frobnicate
expect_error "unknown command" 2 "^sharelite: unknown command 'frobnicate'"
sl --frobnicate
expect_error "unknown option" 2 "^sharelite: unknown option '--frobnicate'"
for cmd in fetch info watch; do
	sl $cmd
	expect_error "$cmd without key" 2 "^sharelite: $cmd: missing KEY"
	sl $cmd "$none" "$none"
	expect_error "$cmd with two keys" 2 "^sharelite: $cmd: one KEY at a time"
	sl $cmd --bogus "$none"
	expect_error "$cmd --bogus" 2 "^sharelite: $cmd: unknown option '--bogus'"
	sl $cmd -q "$none"
	expect_error "$cmd -q" 2 "^sharelite: $cmd: unknown option '-q'"
done
sl store
expect_error "store without key" 2 '^sharelite: store: missing KEY'
sl store --size
expect_error "store --size without value" 2 "^sharelite: store: option '--size' needs a value"
sl watch --count -1 "$none"
expect_error "watch --count -1" 2 '^sharelite: watch: --count takes'
nothing_under "$none" "a usage error"
ok "usage errors: exit 2, one line, nothing on stdout"

# Output that cannot be written is an error, not a silent loss.
if [ -w /dev/full ]; then
	sl store "$fresh" '"some value"'
	for cmd in "fetch $fresh" "fetch --json $fresh" "info $fresh" "watch --count 0 $fresh" \
		ls --help --version; do
		case $cmd in *--json*) has_json || continue ;; esac
		"$SHARELITE" $cmd >/dev/full 2>"$ERR"
		RC=$?
		[ "$RC" -eq 1 ] || fail "$cmd to a full device: exit $RC"
		[ "$(wc -l <"$ERR")" -eq 1 ] || fail "$cmd to a full device: want one line"
		grep -q 'cannot write to standard output' "$ERR" || fail "$cmd to /dev/full said nothing"
	done
	ok "a failed write to standard output fails the command"
fi

done_testing

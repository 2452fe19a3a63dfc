#!/bin/sh
# --timeout MS: a command that opens a share gives up waiting for a lock
# that another process keeps, says so in one line naming the key, changes
# nothing, and works once the lock is free. The holder takes the lock as
# the protocol does (sharelite(7)): semaphore 1 counts readers, semaphore
# 2 is the writer, and SEM_UNDO (0x1000) gives the lock back when it dies.
. "${srcdir:-.}/tests/cli/common.sh"

semid_of() {
	perl -e 'my $id = semget($ARGV[0], 0, 0); defined $id or die "semget: $!\n";
		print $id' "$1" || fail "no semaphore set for key $1"
}

# hold_writer SEMID NAME: take the exclusive lock, {1, 0} {2, 0} {2, +1},
# and keep it until killed; $TMP/ready.NAME says when it is held.
hold_writer() {
	perl -e '
		my ($semid, $ready) = @ARGV;
		semop($semid, pack("s!9", 1, 0, 0, 2, 0, 0, 2, 1, 0x1000))
			or die "semop: $!\n";
		open(my $f, ">", $ready) or die; print $f "held\n"; close $f;
		sleep 300;' "$1" "$TMP/ready.$2" &
	background $!
	wait_for "$TMP/ready.$2" held
}

k=$(key 1)
sl store "$k" before
expect_ok "store"
sl info "$k"
version=$(info_field version)

hold_writer "$(semid_of "$k")" w
writer=$!
for cmd in store fetch rm watch; do
	case $cmd in
	store) sl store --timeout 50 "$k" after ;;
	watch) sl watch --timeout 50 --count 0 "$k" ;;
	*) sl $cmd --timeout 50 "$k" ;;
	esac
	expect_error "$cmd under a writer" 1 "^sharelite: $cmd: key $k .*longer than --timeout"
done
has_sem "$k" && has_shm "$k" || fail "rm removed the share it timed out on"
ok "store, fetch, rm and watch give up behind a writer"

sl store --timeout 0 "$k" after
expect_error "store --timeout 0 under a writer" 1 "key $k .*longer than --timeout"
sl info --timeout 0 "$k"
expect_ok "info under a writer"
[ "$(info_field writer)" = yes ] || fail "info does not show the writer"
sl ls --timeout 0
expect_ok "ls under a writer"
grep -q "^$(hex "$k") " "$OUT" || fail "ls does not list the share"
ok "--timeout 0 never waits; info and ls do not need the lock"

kill "$writer"
wait "$writer" 2>/dev/null
sl info "$k"
[ "$(info_field version)" = "$version" ] || fail "the version moved: $(info_field version)"
sl fetch --timeout 50 "$k"
expect_ok "fetch once the writer is gone"
[ "$(cat "$OUT")" = before ] || fail "the value changed: $(cat "$OUT")"
sl store --timeout 50 "$k" after
expect_ok "store once the writer is gone"
sl fetch --timeout 0 "$k"
[ "$(cat "$OUT")" = after ] || fail "store stored $(cat "$OUT")"
ok "nothing changed, and the same commands work once the lock is free"

# A share whose creator has not initialised it yet (semaphore 0 is 0, and
# the creator holds the lock): opening waits for the creator.
perl -e 'semctl($ARGV[0], 0, 16, 0) or die "semctl: $!\n"' "$(semid_of "$k")" ||
	fail "cannot reset semaphore 0"	# 16: SETVAL
hold_writer "$(semid_of "$k")" c
creator=$!
sl fetch --timeout 50 "$k"
expect_error "open under a creator" 1 "^sharelite: fetch: key $k .*longer than --timeout"
kill "$creator"
wait "$creator" 2>/dev/null
sl rm --timeout 50 "$k"
expect_ok "rm once the creator is gone"
ok "opening gives up behind a creator that holds the lock"

for bad in -1 x 2147483648 ''; do
	sl fetch --timeout "$bad" "$k"
	expect_error "--timeout '$bad'" 2 'fetch: --timeout takes a number of milliseconds'
done
ok "--timeout wants a number of milliseconds"

done_testing

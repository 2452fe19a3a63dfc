#!/bin/sh
# sharelite info: every field, checked against the kernel's own lists, and
# the lock state while other processes hold the lock.
. "${srcdir:-.}/tests/cli/common.sh"

k=$(key 1)
sl store "$k" 'twelve bytes'
expect_ok "store"

sl info "$k"
expect_ok "info"
[ "$(info_field key)" = "$k ($(hex "$k"))" ] || fail "key line is '$(info_field key)'"
[ "$(info_field format)" = "perl (IPC::ShareLite's format: Perl programs can open it too)" ] ||
	fail "format line is '$(info_field format)'"
[ "$(info_field length)" = 12 ] || fail "length"
[ "$(info_field version)" = 2 ] || fail "version of a new share after one store"
[ "$(info_field segments)" = 1 ] || fail "segments"
[ "$(info_field 'segment size')" = 65536 ] || fail "segment size"
[ "$(info_field mode)" = 0600 ] || fail "mode"
[ "$(info_field owner)" = "$(id -un)" ] || fail "owner"
[ "$(info_field group)" = "$(id -gn)" ] || fail "group"
[ "$(info_field creator)" = "$(id -un)" ] || fail "creator"
[ "$(info_field attached)" = 0 ] || fail "attached counts sharelite itself"
shmid=$(awk -v k="$(signed "$k")" 'NR > 1 && $1 == k { print $2 }' /proc/sysvipc/shm)
semid=$(awk -v k="$(signed "$k")" 'NR > 1 && $1 == k { print $2 }' /proc/sysvipc/sem)
[ "$(info_field shmid)" = "$shmid" ] || fail "shmid is not the kernel's $shmid"
[ "$(info_field semid)" = "$semid" ] || fail "semid is not the kernel's $semid"
[ "$(info_field readers)" = 0 ] || fail "readers"
[ "$(info_field writer)" = no ] || fail "writer"
[ "$(info_field 'writers waiting')" = 0 ] || fail "writers waiting"
[ "$(wc -l <"$OUT")" -eq 16 ] || fail "info printed $(wc -l <"$OUT") lines, want 16"
ok "info shows every field as the kernel knows it"

sl store "$k" 'a new value'
sl info "$k"
[ "$(info_field version)" = 3 ] || fail "a store did not bump the version"
[ "$(info_field length)" = 11 ] || fail "length after the second store"
ok "info follows stores"

# Hold the share's locks as the protocol does (sharelite(7)): semaphore 1
# counts readers, semaphore 2 is the writer; SEM_UNDO (0x1000) gives them
# back when the holder dies. Attach counts need a process that stays
# attached: perl_interop.sh checks them with the Perl module.
hold() {
	perl -e '
		my ($semid, $sem, $ready) = @ARGV;
		semop($semid, pack("s!3", $sem, 1, 0x1000)) or die "semop: $!\n";
		open(my $f, ">", $ready) or die; print $f "held\n"; close $f;
		sleep 300;' "$semid" "$1" "$TMP/ready.$2" &
	background $!
}
hold 1 a; reader1=$!
hold 1 b; reader2=$!
wait_for "$TMP/ready.a" held
wait_for "$TMP/ready.b" held
sl info "$k"
expect_ok "info with readers"
[ "$(info_field readers)" = 2 ] || fail "two readers show as $(info_field readers)"
[ "$(info_field writer)" = no ] || fail "writer while readers hold"
[ "$(info_field segments)" = 1 ] || fail "segments are countable while readers hold"
sl fetch "$k"
[ "$(cat "$OUT")" = 'a new value' ] || fail "fetch beside readers"
ok "info shows readers holding the lock"
kill "$reader1" "$reader2"
wait "$reader1" "$reader2" 2>/dev/null

hold 2 c; writer=$!
wait_for "$TMP/ready.c" held
sl info "$k"
expect_ok "info with a writer"
[ "$(info_field readers)" = 0 ] || fail "readers while a writer holds"
[ "$(info_field writer)" = yes ] || fail "writer does not show"
[ "$(info_field segments)" = "unknown (a writer holds the lock)" ] ||
	fail "segments while a writer holds: $(info_field segments)"
[ "$(info_field length)" = 11 ] || fail "length while a writer holds"
ok "info does not wait for a writer, and says what it cannot count"
kill "$writer"
wait "$writer" 2>/dev/null

sl info "$k"
[ "$(info_field writer)" = no ] || fail "the dead writer's lock was not undone"
ok "a holder's death gives the lock back"

# A broken chain: the head's link (its first 4 bytes, sharelite(7)) names a
# segment that is no part of the share. info says so, not that a writer
# holds the lock; the link is put back for the clean-up to follow.
broken=$(key 2)
perl -e 'print "x" x 100' | "$SHARELITE" store --size 64 "$broken" || fail "store of a chain"
head=$(awk -v k="$(signed "$broken")" 'NR > 1 && $1 == k { print $2 }' /proc/sysvipc/shm)
link=$(perl -e 'shmread($ARGV[0], $b, 0, 4) or die "shmread: $!\n"; print unpack("l", $b)' "$head") ||
	fail "cannot read the head's link"
foreign_segment "$(key 3)" 64
stranger=$(awk -v k="$(signed "$(key 3)")" 'NR > 1 && $1 == k { print $2 }' /proc/sysvipc/shm)
relink() {
	perl -e 'shmwrite($ARGV[0], pack("l", $ARGV[1]), 0, 4) or die "shmwrite: $!\n"' "$head" "$1" ||
		fail "cannot write the head's link"
}
relink "$stranger"
sl info "$broken"
relink "$link"
expect_ok "info of a broken chain"
[ "$(info_field writer)" = no ] || fail "writer of a broken chain"
info_field segments | grep -q '^unknown (the chain is broken: ' ||
	fail "segments of a broken chain: $(info_field segments)"
info_field segments | grep -q 'writer' && fail "a broken chain blamed on a writer: $(info_field segments)"
sl info "$broken"
[ "$(info_field segments)" = 3 ] || fail "the chain, mended, has $(info_field segments) segments"
ok "info on a broken chain says the chain is broken"

done_testing

#!/bin/sh
# sharelite rm: a share goes whole, every segment of its chain and its
# semaphore set; a key that is not a share is reported and left alone.
. "${srcdir:-.}/tests/cli/common.sh"

k1=$(key 1)
k2=$(key 2)
k3=$(key 3)

# A chain of 10 segments, made by one process whose pid marks them all.
head -c 40000 /dev/urandom >"$TMP/value"
"$SHARELITE" store --size 4096 "$k1" <"$TMP/value" &
store_pid=$!
wait "$store_pid" || fail "store of 40000 bytes"
sl info "$k1"
[ "$(info_field segments)" -eq 10 ] || fail "40000 bytes in 4 kB segments: $(info_field segments) segments"
[ "$(segments_by "$store_pid")" -eq 10 ] || fail "the kernel lists $(segments_by "$store_pid") segments by the store"
has_sem "$k1" || fail "no semaphore set"

sl rm "$k1"
expect_ok "rm"
[ ! -s "$OUT" ] || fail "rm printed something"
[ "$(segments_by "$store_pid")" -eq 0 ] || fail "rm left $(segments_by "$store_pid") segments of the chain"
! has_shm "$k1" || fail "rm left the head segment"
! has_sem "$k1" || fail "rm left the semaphore set"
ok "rm removes every segment of the chain and the semaphore set"

sl fetch "$k1"
expect_error "fetch after rm" 1 "key $k1 \\($(hex "$k1")\\): no such share"
ok "a removed share is gone for fetch"

# Several keys at once, spelled differently.
sl store "$k1" one
sl store "$k2" two
sl rm "$k1" "$(hex "$k2")"
expect_ok "rm of two keys"
! has_sem "$k1" && ! has_sem "$k2" || fail "rm of two keys left a set"
! has_shm "$k1" && ! has_shm "$k2" || fail "rm of two keys left a segment"
ok "rm removes several shares"

# A key that is no share among good ones: the good ones go, the bad one is
# named, the exit code says it.
sl store "$k1" one
sl store "$k3" three
sl rm "$k1" "$k2" "$k3"
expect_error "rm with an unknown key" 1 "rm: key $k2 \\($(hex "$k2")\\): no such share"
! has_sem "$k1" && ! has_sem "$k3" || fail "rm stopped at the unknown key"
! has_shm "$k2" && ! has_sem "$k2" || fail "rm created something for the unknown key"
ok "rm goes on past a key that is no share, and fails"

# A bad key string stops rm before it removes anything.
sl store "$k1" one
sl rm "$k1" 'toolong'
expect_error "rm with a bad key" 2 "bad key 'toolong'"
has_sem "$k1" && has_shm "$k1" || fail "rm removed a share before finding a bad key"
ok "a bad key stops rm before it removes anything"

# A segment that is no share's is left alone.
foreign_segment "$k2"
sl rm "$k2"
expect_error "rm of a foreign segment" 1 "key $k2 .*: not a share"
has_shm "$k2" || fail "rm removed a segment that is no share's"
! has_sem "$k2" || fail "rm made a semaphore set for a foreign segment"
ok "rm leaves a foreign segment alone"

sl rm
expect_error "rm without keys" 2 'rm: missing KEY'
ok "rm wants a key"

done_testing

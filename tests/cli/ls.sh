#!/bin/sh
# sharelite ls: the shares on the system, from the kernel's lists, and
# nothing that is not a share.
. "${srcdir:-.}/tests/cli/common.sh"

k1=$(key 1)
k2=$(key 2)
sl store "$k1" 'first'
sl store --size 1024 "$k2" "$(head -c 3000 /dev/zero | tr '\0' x)"
sl store "$k2" "$(head -c 2500 /dev/zero | tr '\0' y)"
expect_ok "stores"

# Objects under keys that make no share.
f1=$(key 3); foreign_segment "$f1"
f2=$(key 4); foreign_semaphores "$f2" 3
f3=$(key 5); foreign_semaphores "$f3" 1; foreign_segment "$f3"

sl ls
expect_ok "ls"
head -n 1 "$OUT" | grep -Eq '^KEY +LENGTH +VERSION +SEGMENTS +OWNER +FORMAT +NAME$' ||
	fail "no header line"
line1=$(grep "^$(hex "$k1") " "$OUT")
line2=$(grep "^$(hex "$k2") " "$OUT")
echo "$line1" | grep -Eq "^$(hex "$k1") +5 +2 +1 +$(id -un) +perl\$" || fail "line of k1: '$line1'"
echo "$line2" | grep -Eq "^$(hex "$k2") +2500 +3 +3 +$(id -un) +perl\$" || fail "line of k2: '$line2'"
ok "ls shows key, length, version, segments, owner and format"

for f in "$f1" "$f2" "$f3"; do
	! grep -q "^$(hex "$f") " "$OUT" || fail "ls lists $(hex "$f"), which is no share"
done
grep -q '^0x00000000 ' "$OUT" && fail "ls lists an IPC_PRIVATE object"
ok "ls leaves out segments without semaphores, sets without segments, and foreign sets"

sl ls --no-header
expect_ok "ls --no-header"
grep -q '^KEY' "$OUT" && fail "--no-header printed the header"
grep -q "^$(hex "$k1") " "$OUT" || fail "--no-header lost a share"
grep -q "^$(hex "$k2") " "$OUT" || fail "--no-header lost a share"
ok "ls --no-header lists the shares alone"

# A string key shows its name.
name=$(name_key)
sl store "$name" named
sl ls
grep -Eq " $(id -un) +perl +$name\$" "$OUT" || fail "the share $name is not listed by name"
ok "ls names a share with a string key"

sl ls extra
expect_error "ls with an argument" 2 'ls: takes no arguments'
ok "ls takes no arguments"

done_testing

#!/bin/sh
# A share another user may not use: every command fails with one line
# naming the key, and the share is left as it was. Needs root, to run the
# command as nobody.
. "${srcdir:-.}/tests/cli/common.sh"

[ "$(id -u)" -eq 0 ] || { echo "not root: cannot run as another user"; exit 77; }
command -v setpriv >/dev/null || { echo "no setpriv"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "no user nobody"; exit 77; }
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}
as_nobody "$SHARELITE" --version >/dev/null 2>&1 ||
	{ echo "nobody cannot run $SHARELITE (directory permissions)"; exit 77; }

k=$(key 1)
open_key=$(key 2)
sl store "$k" secret
sl store --mode 0666 "$open_key" public
expect_ok "stores"

# shm_id KEY: the id of the segment under KEY.
shm_id() {
	awk -v k="$(signed "$1")" 'NR > 1 && $1 == k { print $2 }' /proc/sysvipc/shm
}
head=$(shm_id "$k")
refused="permission denied: the share's head segment \\(shmid $head\\) belongs to root \\(uid 0\\), mode 0600"
for cmd in fetch info watch rm store "store --size 100" "fetch --json"; do
	case $cmd in *--json) has_json || continue ;; esac	# json.sh covers it
	run as_nobody "$SHARELITE" $cmd "$k"
	expect_error "$cmd as nobody" 1 \
		"^sharelite: ${cmd%% *}: key $k \\($(hex "$k")\\): $refused, which does not let this user read and write it\$"
done
run as_nobody "$SHARELITE" store "$k" other
expect_error "store VALUE as nobody" 1 "$refused, which does not let"
sl info "$k"
[ "$(info_field version)" = 2 ] || fail "a refused command changed the share"
sl fetch "$k"
[ "$(cat "$OUT")" = secret ] || fail "a refused command changed the value"
ok "a share of mode 0600: every command fails for nobody, the share as it was"

run as_nobody "$SHARELITE" ls
expect_ok "ls as nobody"
grep -Eq "^$(hex "$k") +- +- +- +root +-\$" "$OUT" || fail "ls as nobody: $(grep "^$(hex "$k")" "$OUT")"
grep -Eq "^$(hex "$open_key") +6 +2 +1 +root +perl\$" "$OUT" || fail "ls as nobody of a 0666 share"
ok "ls shows shares nobody may not open, with dashes"

run as_nobody "$SHARELITE" fetch "$open_key"
expect_ok "fetch of a 0666 share as nobody"
[ "$(cat "$OUT")" = public ] || fail "nobody read $(cat "$OUT")"
run as_nobody "$SHARELITE" store "$open_key" 'from nobody'
expect_ok "store as nobody"
sl fetch "$open_key"
[ "$(cat "$OUT")" = 'from nobody' ] || fail "nobody's store did not land"
ok "--mode 0666 lets another user fetch and store"

run as_nobody "$SHARELITE" rm "$open_key"
expect_error "rm of root's 0666 share as nobody" 1 \
	"^sharelite: rm: key $open_key \\($(hex "$open_key")\\): permission denied: the share's head segment \\(shmid $(shm_id "$open_key")\\) belongs to root \\(uid 0\\), mode 0666, and only its owner, its creator or root may remove it\$"
has_shm "$open_key" && has_sem "$open_key" || fail "a refused rm removed something"
ok "rm of another user's share says whose it is"

# Overflow segments belong to whoever stored: in nobody's 0666 share, a
# long value stored by root makes segments that nobody may not remove.
# rm says which and whose, and leaves the share whole.
mixed=$(key 3)
run as_nobody "$SHARELITE" store --size 64 --mode 0666 "$mixed" short
expect_ok "nobody's store"
perl -e 'print "r" x 100' | "$SHARELITE" store "$mixed" || fail "root's store"
mixed_head=$(shm_id "$mixed")
[ "$(awk -v h="$mixed_head" 'NR > 1 && $2 == h { print $8 }' /proc/sysvipc/shm)" = "$(id -u nobody)" ] ||
	fail "the head is not nobody's"
run as_nobody "$SHARELITE" rm "$mixed"
expect_error "rm of a chain with root's segments, as nobody" 1 \
	"^sharelite: rm: key $mixed \\($(hex "$mixed")\\): permission denied: an overflow segment of the share \\(shmid [0-9]+\\) belongs to root \\(uid 0\\), mode 0666, and only its owner, its creator or root may remove it\$"
overflow=$(sed -n 's/.*(shmid \([0-9]*\)).*/\1/p' "$ERR")
awk -v id="$overflow" -v h="$mixed_head" 'NR > 1 && $2 == id && $1 == 0 && $4 == 64 && $8 == 0 { f = 1 }
	END { exit !f }' /proc/sysvipc/shm || fail "shmid $overflow is not a 64-byte keyless segment of root's"
[ "$overflow" != "$mixed_head" ] || fail "the head named as an overflow segment"
sl fetch "$mixed"
[ "$(cat "$OUT")" = "$(perl -e 'print "r" x 100')" ] || fail "a refused rm changed the value"
sl rm "$mixed"
expect_ok "root's rm"
has_shm "$mixed" || has_sem "$mixed" && fail "root's rm left the share"
awk -v id="$overflow" 'NR > 1 && $2 == id { f = 1 } END { exit !f }' /proc/sysvipc/shm &&
	fail "root's rm left the overflow segment"
ok "rm names the overflow segment another user owns, and its owner"

done_testing

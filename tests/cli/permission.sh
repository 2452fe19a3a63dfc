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

for cmd in fetch info watch rm store "store --size 100" "fetch --json"; do
	case $cmd in *--json) has_json || continue ;; esac	# json.sh covers it
	run as_nobody "$SHARELITE" $cmd "$k"
	expect_error "$cmd as nobody" 1 "^sharelite: ${cmd%% *}: key $k \\($(hex "$k")\\): permission denied\$"
done
run as_nobody "$SHARELITE" store "$k" other
expect_error "store VALUE as nobody" 1 "permission denied\$"
sl info "$k"
[ "$(info_field version)" = 2 ] || fail "a refused command changed the share"
sl fetch "$k"
[ "$(cat "$OUT")" = secret ] || fail "a refused command changed the value"
ok "a share of mode 0600: every command fails for nobody, the share as it was"

run as_nobody "$SHARELITE" ls
expect_ok "ls as nobody"
grep -Eq "^$(hex "$k") +- +- +- +root\$" "$OUT" || fail "ls as nobody: $(grep "^$(hex "$k")" "$OUT")"
grep -Eq "^$(hex "$open_key") +6 +2 +1 +root\$" "$OUT" || fail "ls as nobody of a 0666 share"
ok "ls shows shares nobody may not open, with dashes"

run as_nobody "$SHARELITE" fetch "$open_key"
expect_ok "fetch of a 0666 share as nobody"
[ "$(cat "$OUT")" = public ] || fail "nobody read $(cat "$OUT")"
run as_nobody "$SHARELITE" store "$open_key" 'from nobody'
expect_ok "store as nobody"
sl fetch "$open_key"
[ "$(cat "$OUT")" = 'from nobody' ] || fail "nobody's store did not land"
ok "--mode 0666 lets another user fetch and store"

done_testing

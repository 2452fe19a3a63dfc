#!/bin/sh
# --help, --version and sharelite(1): what the command says about itself is
# there, exits 0, and the man page documents every command and option.
. "${srcdir:-.}/tests/cli/common.sh"

commands='store fetch info rm ls watch bench'

for h in --help -h help; do
	sl $h
	expect_ok "sharelite $h"
	grep -q '^Usage: sharelite COMMAND' "$OUT" || fail "$h prints no usage line"
	for c in $commands; do
		grep -Eq "^  $c( |\$)" "$OUT" || fail "$h does not list $c"
	done
done
ok "--help lists every command"

for c in $commands; do
	[ "$c" = bench ] && continue	# its arguments are sharelite-bench's
	sl $c --help
	expect_ok "$c --help"
	grep -q '^Usage: sharelite' "$OUT" || fail "$c --help prints no usage"
done
ok "every command takes --help"

sl --version
expect_ok "--version"
head -n 1 "$OUT" | grep -Eq '^sharelite \(libsharelite\) [0-9]+\.[0-9]+\.[0-9]+$' ||
	fail "--version's first line: $(head -n 1 "$OUT")"
grep -Eq '^library: libsharelite [0-9]+\.[0-9]+\.[0-9]+$' "$OUT" || fail "--version names no library"
sl -V
expect_ok "-V"
ok "--version names the command's and the library's versions"

man=${srcdir:-.}/man/sharelite.1
[ -r "$man" ] || fail "no man page at $man"
sl --help
for opt in $(grep -Eo -- '--[a-z][a-z-]*' "$OUT" | sort -u); do
	grep -qF -- "$(echo "$opt" | sed 's/-/\\-/g')" "$man" || fail "sharelite(1) does not document $opt"
done
for c in $commands; do
	grep -Eq "^\\.(B|BR|BI) \"?$c" "$man" || fail "sharelite(1) does not document $c"
done
grep -q '^\.SH EXIT STATUS' "$man" || fail "sharelite(1) has no EXIT STATUS"
grep -q '^\.BR sharelite (7)' "$man" || fail "sharelite(1) does not refer to sharelite(7)"
ok "sharelite(1) documents every command and option"

if command -v groff >/dev/null; then
	groff -man -ww -z "$man" >"$TMP/groff" 2>&1 || fail "groff failed on sharelite(1)"
	[ ! -s "$TMP/groff" ] || fail "groff warns about sharelite(1): $(cat "$TMP/groff")"
	ok "sharelite(1) renders without warnings"
fi

done_testing

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

sl --help
cp "$OUT" "$TMP/general"
for c in $commands; do
	[ "$c" = bench ] && continue	# its arguments are sharelite-bench's
	for h in --help -h; do
		sl $c $h
		expect_ok "$c $h"
		head -n 1 "$OUT" | grep -q "^Usage: sharelite $c " ||
			fail "$c $h: its first line is not $c's usage: $(head -n 1 "$OUT")"
		cmp -s "$OUT" "$TMP/general" && fail "$c $h prints the general help"
		grep -q -- '--help' "$OUT" || fail "$c $h does not list --help"
	done
	# Every option the command's usage line names, it explains.
	for opt in $(head -n 1 "$OUT" | grep -Eo -- '--[a-z][a-z-]*' | sort -u); do
		grep -Eq -- "^  (-[a-zA-Z], )?$opt" "$OUT" || fail "$c --help does not explain $opt"
		grep -q -- "$opt" "$TMP/general" || fail "the general help does not list $c's $opt"
	done
done
ok "every command's --help is its own usage"

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
# "man sharelite" opens this page: its first paragraph says where the overview is.
sed -n '/^\.SH DESCRIPTION/,/^\.PP/p' "$man" | grep -q '^\.BR "man 7 sharelite"' ||
	fail "sharelite(1) does not say at its top that the overview is man 7 sharelite"
ok "sharelite(1) documents every command and option"

if command -v groff >/dev/null; then
	groff -man -ww -z "$man" >"$TMP/groff" 2>&1 || fail "groff failed on sharelite(1)"
	[ ! -s "$TMP/groff" ] || fail "groff warns about sharelite(1): $(cat "$TMP/groff")"
	ok "sharelite(1) renders without warnings"
fi

done_testing

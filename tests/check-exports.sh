#!/bin/sh
# The library exports exactly the functions sharelite.h declares, and the
# linker map names exactly those: an accidental export, a function left out
# of the map, or a declaration without a definition fails here.
top=$(cd "${srcdir:-.}" && pwd)
lib=src/.libs/libsharelite.so

if ! command -v nm >/dev/null 2>&1; then
	echo "SKIP: nm (binutils) is not installed"
	exit 77
fi
if [ ! -f "$lib" ]; then
	echo "SKIP: no shared library at $lib (configured with --disable-shared?)"
	exit 77
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Prototypes start at the left margin; the name is the word before "(".
sed -n 's/^[A-Za-z][^(]*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
	"$top/include/sharelite.h" | sort -u >"$tmp/header"
# Names between "global:" and "local:" (or the end of a version node).
awk '/global:/ { on = 1; next }
     /local:|}/ { on = 0 }
     on && /^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*[[:space:]]*;/ {
	     sub(/^[[:space:]]*/, ""); sub(/[[:space:]]*;.*/, ""); print }' \
	"$top/src/libsharelite.map" | sort -u >"$tmp/map"
# Defined dynamic symbols, less the version nodes (type A) and @VERSION.
nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/exported"

if [ ! -s "$tmp/header" ] || [ ! -s "$tmp/map" ] || [ ! -s "$tmp/exported" ]; then
	echo "FAIL: could not read the lists (header: $(wc -l <"$tmp/header")," \
	     "map: $(wc -l <"$tmp/map"), exported: $(wc -l <"$tmp/exported"))"
	exit 1
fi

fail=0
differ() {		# differ NAME-A A NAME-B B
	if ! cmp -s "$tmp/$2" "$tmp/$4"; then
		echo "FAIL: $1 and $3 differ (< only in $1, > only in $3):"
		diff "$tmp/$2" "$tmp/$4" | grep '^[<>]'
		fail=1
	fi
}
differ "include/sharelite.h" header "src/libsharelite.map" map
differ "include/sharelite.h" header "$lib" exported
differ "src/libsharelite.map" map "$lib" exported

# A static link sees every global symbol of the archives, hidden or not:
# whatever is not API starts with sl_, so it cannot collide with a
# program's own names.
for archive in src/.libs/libsharelite.a src/json/.libs/libsharelite-json.a; do
	[ -f "$archive" ] || continue
	nm -g --defined-only "$archive" | awk 'NF == 3 { print $3 }' |
		grep -vE '^(share_|sharelite_version$|sl_)' >"$tmp/unprefixed"
	if [ -s "$tmp/unprefixed" ]; then
		echo "FAIL: $archive defines global names without the sl_ prefix:"
		cat "$tmp/unprefixed"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "PASS: $(wc -l <"$tmp/header") functions declared, mapped and exported"
exit $fail

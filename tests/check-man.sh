#!/bin/sh
# Every public function has a man page that names it, every page is
# installed (listed in dist_man_MANS), every page of ours that a page
# refers to exists, and every page renders without a groff warning.
top=$(cd "${srcdir:-.}" && pwd)
fail=0

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Prints the words of a page's NAME section, following a .so alias stub.
name_section() {
	page=$1
	target=$(sed -n 's/^\.so[[:space:]]*man[0-9]\/\(.*\)/\1/p' "$page" | head -n 1)
	[ -n "$target" ] && page=$top/man/$target
	[ -f "$page" ] || return 1
	awk '/^\.SH/ { on = ($2 == "NAME") ; next } on' "$page" | sed 's/\\-/ /g; s/,/ /g'
}

# 1. A page man/FUNC.3 for each function, whose NAME section lists FUNC.
functions=$(sed -n 's/^[A-Za-z][^(]*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
	"$top/include/sharelite.h" | sort -u)
if [ -z "$functions" ]; then
	echo "FAIL: found no function in include/sharelite.h"
	exit 1
fi
nfunctions=0
for f in $functions; do
	nfunctions=$((nfunctions + 1))
	page=$top/man/$f.3
	if [ ! -f "$page" ]; then
		echo "FAIL: $f has no man page man/$f.3"
		fail=1
	elif ! name_section "$page" | grep -qw -- "$f"; then
		echo "FAIL: man/$f.3 (or the page it sources) does not name $f in NAME"
		fail=1
	fi
done

# 2. Every page in man/ is installed. The build directory's Makefile has
# the whole list, whichever fragment added a page; the share_json_* pages
# only where configure found jansson and libsharelite-json is built.
MAKEFLAGS='' MAKELEVEL='' ${MAKE:-make} -s --no-print-directory -f Makefile -f - \
	check-man-print-pages >"$tmp/installed" <<'MK' || fail=1
check-man-print-pages:
	@for p in $(dist_man_MANS); do echo "$$p"; done
	@for l in $(lib_LTLIBRARIES); do echo "library $$l"; done
MK
npages=0
for page in "$top"/man/*.[137]; do
	[ -f "$page" ] || continue
	npages=$((npages + 1))
	rel=man/${page##*/}
	case $rel in
	man/share_json_*)
		grep -qx 'library src/json/libsharelite-json.la' "$tmp/installed" || continue ;;
	esac
	if ! grep -qx -- "$rel" "$tmp/installed"; then
		echo "FAIL: $rel is not listed in dist_man_MANS"
		fail=1
	fi
done

# 3. Every reference to one of our pages, share_x(3) or sharelite(7), names
# a page that exists: a renamed function leaves no dangling SEE ALSO.
for page in "$top"/man/*.[137]; do
	[ -f "$page" ] || continue
	refs=$(grep -oE '(share_[a-z_]+|sharelite(_[a-z_]+)?)"? \([137]\)' "$page" |
		sed 's/"//; s/ (\(.\))/.\1/' | sort -u)
	for ref in $refs; do
		if [ ! -f "$top/man/$ref" ]; then
			echo "FAIL: man/${page##*/} refers to $ref, which is not in man/"
			fail=1
		fi
	done
done

# 4. Every page renders without a warning, alias stubs through their
# target: .so names man3/x.3, so render from a directory where man1, man3
# and man7 are the source tree's man/.
if ! command -v groff >/dev/null 2>&1; then
	[ $fail -ne 0 ] && exit 1
	echo "SKIP: groff is not installed, so the pages were not rendered"
	exit 77
fi
for section in 1 3 7; do
	ln -s "$top/man" "$tmp/man$section"
done
for page in "$top"/man/*.[137]; do
	[ -f "$page" ] || continue
	for device in ps utf8; do
		out=$(cd "$tmp" && groff -man -ww -z -T$device "$page" 2>&1)
		if [ -n "$out" ]; then
			echo "FAIL: man/${page##*/} (groff -T$device):"
			echo "$out"
			fail=1
		fi
	done
done

[ $fail -eq 0 ] && echo "PASS: $nfunctions functions have pages; $npages pages installed and lint-clean"
exit $fail

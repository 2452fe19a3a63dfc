#!/bin/sh
# libsharelite-json exports exactly the functions its header declares, all
# listed in its version script: nothing private leaks, nothing is missing.
lib=src/json/.libs/libsharelite-json.so
map=${srcdir:-.}/src/json/libsharelite-json.map
header=${srcdir:-.}/include/sharelite_json.h

if [ ! -f "$lib" ]; then
	echo "SKIP: no shared library built ($lib)"
	exit 77
fi
command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm"; exit 77; }

declared=$(sed -n 's/^[a-z_ *]*[ *]\(share_json_[a-z_]*\)(.*/\1/p' "$header" | sort)
listed=$(sed -n 's/^[[:space:]]*\(share_json_[a-z_]*\);$/\1/p' "$map" | sort)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)

status=0
if [ -z "$declared" ] || [ "$declared" != "$listed" ]; then
	echo "FAIL: the header and the version script list different functions:"
	printf 'header:\n%s\nmap:\n%s\n' "$declared" "$listed"
	status=1
fi
if [ "$listed" != "$exported" ]; then
	echo "FAIL: the library exports other functions than the version script lists:"
	printf 'map:\n%s\nexported:\n%s\n' "$listed" "$exported"
	status=1
fi
[ $status -eq 0 ] && echo "PASS: $(echo "$exported" | wc -l) functions exported"
exit $status

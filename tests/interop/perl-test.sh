#!/bin/sh
# perl-test.sh PERL TEST.pl - run one interop test against this tree's slc.
# Skips (77) only where Perl or IPC::ShareLite is not installed.
perl=$1
test=$2
if [ "$perl" = no ] || ! "$perl" -e 1 2>/dev/null; then
	echo "SKIP: no perl"
	exit 77
fi
if ! "$perl" -MIPC::ShareLite -e 1 2>/dev/null; then
	echo "SKIP: IPC::ShareLite is not installed (Debian: libipc-sharelite-perl)"
	exit 77
fi
SLC=$(pwd)/tests/interop/slc
export SLC
exec "$perl" -I"$(dirname "$test")" "$test"

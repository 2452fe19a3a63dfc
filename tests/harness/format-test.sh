#!/bin/sh
# format-test.sh FORMAT [WRAPPER...] PROGRAM-FORMAT.FORMAT
# Run a format-neutral test program against one memory format: make check
# lists tests/NAME-FORMAT.FORMAT, a stamp built beside tests/NAME, once for
# each format (each with a log of its own), and this runs tests/NAME with
# SHARELITE_TEST_FORMAT=FORMAT, under the wrapper if one is given
# (make check LOG_COMPILER=valgrind...).
format=$1
shift
for arg; do
	shift
	case $arg in
	*-"$format"."$format") set -- "$@" "${arg%-"$format"."$format"}" ;;
	*) set -- "$@" "$arg" ;;
	esac
done
SHARELITE_TEST_FORMAT=$format
export SHARELITE_TEST_FORMAT
exec "$@"

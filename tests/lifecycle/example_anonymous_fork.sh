#!/bin/sh
# The anonymous-sharing example works as sharelite(7) says: four workers'
# lines in one value that spans several segments.
out=$(./examples/anonymous_fork) || { echo "example failed: $out"; exit 1; }
echo "$out"
lines=$(echo "$out" | grep -c '^worker [0-3] (pid [0-9]*) was here$')
[ "$lines" -eq 4 ] || { echo "expected 4 worker lines, got $lines"; exit 1; }
# The value is the four lines; 48 data bytes a segment (64-byte segments).
bytes=$(echo "$out" | grep '^worker' | wc -c)
segments=$(( (bytes + 47) / 48 ))
echo "$out" | grep -q "^$bytes bytes in $segments segments, version 5\$" ||
	{ echo "wrong summary: want $bytes bytes in $segments segments, version 5"; exit 1; }

#!/bin/sh
# The benchmark's Redis table, against a redis-server of its own on a free
# port of 127.0.0.1 (no persistence, a temporary directory), stopped at
# exit: every row and target cell printed. It checks no speed.
grep -q '^#define HAVE_REDIS 1' config.h || { echo "built without Redis"; exit 77; }
command -v redis-server >/dev/null 2>&1 || { echo "no redis-server"; exit 77; }

dir=$(mktemp -d) || exit 99
out="$dir/out"
pid=
stop() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
}
trap 'stop; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM

# A port in the dynamic range; redis-server exits at once if it is taken.
start() {
	port=$(( $(od -An -N2 -tu2 /dev/urandom) % 16000 + 49152 ))
	: >"$dir/log"
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$dir" --daemonize no >"$dir/log" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 100 ]; do
		grep -q 'Ready to accept connections' "$dir/log" && return 0
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; pid=; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	stop
	return 1
}
tries=0
until start; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { echo "redis-server did not start:"; cat "$dir/log"; exit 99; }
done

url="redis://127.0.0.1:$port/smoke"
./bench/sharelite-bench --quick --readers 1 --redis "$url" >"$out" || {
	echo "sharelite-bench --quick --redis failed:"; cat "$out"; exit 1
}
sed -n '/^Redis: /,$p' "$out"

missing=0
expect() {
	if ! grep -Eq "$1" "$out"; then
		echo "missing row: $1"
		missing=1
	fi
}

expect "^  server = redis://127\\.0\\.0\\.1:$port/smoke "
cells='[0-9]+ +[0-9.]+ +[0-9.e-]+ +[0-9]+%'
for size in '16 B' '4 KiB' '64 KiB' '1 MiB' '16 MiB'; do
	expect "^$size +SET +[0-9]+ +[0-9.]+ +floor +[0-9]+% -$"
	expect "^$size +GET +[0-9]+ +[0-9.]+ +floor +[0-9]+% -$"
	expect "^$size +share_store +$cells >=0\\.7 SET: (PASS|MISS) [0-9.e-]+$"
	expect "^$size +share_fetch +$cells >=0\\.9 GET: (PASS|MISS) [0-9.e-]+$"
	expect "^$size +share_fetch_into +$cells >=0\\.9 GET: (PASS|MISS) [0-9.e-]+$"
done
us='[0-9.]+us'
expect "^16 B +PUBLISH +[0-9]+ +$us +$us +$us floor$"
expect "^16 B +share_wait_change +[0-9]+ +$us +$us +$us median<1000us: (PASS|MISS) $us$"

# The run leaves nothing on the server: not the share, not the floor's key.
./bench/sharelite-bench --quick --readers 1 --sizes 16 --redis "$url" >"$out" || {
	echo "a second run on the same name failed: the first left keys behind?"
	cat "$out"; exit 1
}
exit $missing

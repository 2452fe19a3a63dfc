# tests/cli/common.sh - sourced by every tests/cli/*.sh.
#
# The scripts run the sharelite command as a user would. SHARELITE names the
# command: the build tree's by default, the installed one under installcheck.
# Every key a script uses comes from key N, which puts the script's PID in
# it, and every object under those keys is removed when the script exits,
# whether it passed or not.

set -u

SHARELITE=${SHARELITE:-./src/cli/sharelite}
LC_ALL=C
export LC_ALL

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sharelite-cli.XXXXXX") || exit 99
OUT=$TMP/stdout
ERR=$TMP/stderr
KEYS=$TMP/keys
CHECKS=0

# use_key K: remove whatever is under K (and K+1..K+15) at exit. A file,
# not a variable, so that $(key N) in a subshell can add to it.
use_key() {
	echo "$1" >>"$KEYS"
}

# key N: this script's N-th key in decimal. Keys step by 16 in callers that
# let Perl make overflow segments, which take the keys K+1, K+2, ...
key() {
	k=$(( 0x5c000000 | (($$ & 0x3fff) << 8) | ($1 & 0xff) ))
	use_key "$k"
	echo "$k"
}

# name_key: a string key of this script's own, "S" and three letters from
# the PID (the numeric keys' bytes make no printable name).
name_key() {
	name=S$(perl -e '$n = shift; print join "", map { chr(97 + int($n / 26 ** $_) % 26) } 2, 1, 0' \
		"$(( $$ % 17576 ))")
	use_key "$(string_key "$name")"
	echo "$name"
}

# string_key NAME: IPC::ShareLite's number for a string key, in decimal.
string_key() {
	perl -e 'print unpack("L", pack("A4", shift))' "$1"
}

hex() {
	printf '0x%08x' "$1"
}

# Remove every object under the keys used, and the chains their heads lead
# to: a segment's first 4 bytes are the next segment's id. Perl's core
# builtins do it, so cleaning up does not trust the command under test.
# A chain is followed only from a share's head (a key with a semaphore set
# and a header with a version), and only to segments of the head's size
# with no key or one of ours: a foreign segment's bytes mean nothing, and
# another program's segment must never be touched.
remove_keys() {
	[ -s "$KEYS" ] || return 0
	perl -e '
		my (%ours, %segs);
		$ours{$_ > 2147483647 ? $_ - 4294967296 : $_} = () for @ARGV;
		open(my $f, "<", "/proc/sysvipc/shm") or die;
		<$f>;
		while (<$f>) {
			my ($key, $id, $perms, $size) = split;
			$segs{$id} = [$key, $size];
		}
		for my $key (@ARGV) {
			my $sem = semget($key, 0, 0);
			my $id = shmget($key, 0, 0);
			my $size = defined $id && $segs{$id} ? $segs{$id}[1] : 0;
			my $buf;
			my $follow = defined $sem && $size >= 16 && shmread($id, $buf, 0, 16)
				&& unpack("x12 L", $buf) >= 1;
			my %seen;
			while (defined $id && !$seen{$id}++) {
				my $next;
				if ($follow && shmread($id, $buf, 0, 4)) {
					$next = unpack("l", $buf);
					my $s = $segs{$next};
					undef $next unless $s && $s->[1] == $size
						&& ($s->[0] == 0 || exists $ours{$s->[0]});
				}
				shmctl($id, 0, 0);	# IPC_RMID
				$id = $next;
			}
			semctl($sem, 0, 0, 0) if defined $sem;	# IPC_RMID
		}' $(for k in $(cat "$KEYS"); do
			for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
				echo $((k + i))
			done
		done | sort -u)
}

# background PID: a process of the test's own, ended at exit if still there.
background() {
	echo "$1" >>"$TMP/pids"
}

cleanup() {
	trap '' HUP INT TERM	# a second signal must not stop the cleaning
	[ -s "$TMP/pids" ] && kill $(cat "$TMP/pids") 2>/dev/null
	remove_keys
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$OUT" "$ERR"; do
		[ -s "$f" ] && { echo "--- $f:"; head -c 2000 "$f"; echo; } >&2
	done
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $*"
}

# run CMD...: run with stdout in $OUT, stderr in $ERR, exit code in $RC.
run() {
	"$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# sl ARG...: run the command under test like run.
sl() {
	run "$SHARELITE" "$@"
}

# expect_ok WHAT: the last command succeeded and said nothing on stderr.
expect_ok() {
	[ "$RC" -eq 0 ] || fail "$1: exit $RC, want 0"
	[ ! -s "$ERR" ] || fail "$1: stderr not empty"
}

# expect_error WHAT RC PATTERN: the last command failed with RC, printed
# nothing on stdout and one line on stderr that matches PATTERN (grep -E).
expect_error() {
	[ "$RC" -eq "$2" ] || fail "$1: exit $RC, want $2"
	[ ! -s "$OUT" ] || fail "$1: stdout not empty"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "$1: want one line on stderr"
	grep -Eq -- "$3" "$ERR" || fail "$1: stderr does not match '$3'"
	grep -q '^sharelite: ' "$ERR" || fail "$1: stderr does not start with 'sharelite: '"
}

# The kernel's lists show keys as signed decimal numbers.
signed() {
	if [ "$1" -gt 2147483647 ]; then echo $(($1 - 4294967296)); else echo "$1"; fi
}

# Whether this sharelite was built with jansson, so that fetch --json works.
has_json() {
	"$SHARELITE" --version 2>/dev/null | grep -q '^json: jansson'
}

# has_shm KEY / has_sem KEY: whether an object with that key exists.
has_shm() {
	awk -v k="$(signed "$1")" 'NR > 1 && $1 == k { f = 1 } END { exit !f }' /proc/sysvipc/shm
}

has_sem() {
	awk -v k="$(signed "$1")" 'NR > 1 && $1 == k { f = 1 } END { exit !f }' /proc/sysvipc/sem
}

# segments_by PID: how many segments that process created (cpid).
segments_by() {
	awk -v p="$1" 'NR > 1 && $5 == p { n++ } END { print n + 0 }' /proc/sysvipc/shm
}

# info_field NAME: the value of one field in $OUT, as printed by info.
info_field() {
	sed -n "s/^$1: *//p" "$OUT"
}

# foreign_segment KEY [SIZE]: a segment under KEY that no share owns.
foreign_segment() {
	perl -e 'defined shmget($ARGV[0], $ARGV[1], 01600) or die "shmget: $!\n"' \
		"$1" "${2:-1024}" || fail "cannot make a foreign segment"
}

# foreign_semaphores KEY N: a semaphore set of N under KEY that no share owns.
foreign_semaphores() {
	perl -e 'defined semget($ARGV[0], $ARGV[1], 01600) or die "semget: $!\n"' \
		"$1" "$2" || fail "cannot make a foreign semaphore set"
}

# done_testing: the closing line.
done_testing() {
	echo "$CHECKS passed, 0 failed"
	exit 0
}

[ -x "$SHARELITE" ] || { echo "no command at $SHARELITE" >&2; exit 99; }
command -v perl >/dev/null || { echo "perl is needed to clean up" >&2; exit 77; }
[ -r /proc/sysvipc/shm ] || { echo "no /proc/sysvipc" >&2; exit 77; }

# wait_for FILE PATTERN: until FILE has a line matching PATTERN. Bounded only
# so that a broken command cannot hang the suite; a slow machine has minutes.
wait_for() {
	i=0
	until grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 3000 ] || fail "waited 5 minutes for '$2' in $1"
		sleep 0.1
	done
}

# wait_exit PID: its exit code, killing it if it outlives a broken test.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 3000 ] || { kill -KILL "$1"; fail "waited 5 minutes for process $1"; }
		sleep 0.1
	done
	wait "$1"
}

# has_redis: whether this sharelite was built with Redis support.
has_redis() {
	"$SHARELITE" --version 2>/dev/null | grep -q '^redis: hiredis'
}

# free_port: a TCP port of 127.0.0.1 that no one listens on now.
free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
					      Listen => 1) or die "bind: $!\n";
		print $s->sockport, "\n"' || fail "no free port"
}

# redis_answers PORT: whether a server on PORT answers PING with PONG.
redis_answers() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => shift,
					      Timeout => 1) or exit 1;
		print $s "PING\r\n";
		exit((<$s> // "") =~ /^\+PONG/ ? 0 : 1)' "$1" 2>/dev/null
}

# start_redis: a redis-server of the script's own on a free port of
# 127.0.0.1, in $TMP, with no persistence; REDIS_PORT says where. Ended at
# exit like every background process. A port taken meanwhile is tried again.
start_redis() {
	mkdir -p "$TMP/redis" || fail "mkdir"
	for try in 1 2 3; do
		REDIS_PORT=$(free_port)
		redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
			--appendonly no --dir "$TMP/redis" --daemonize no \
			>>"$TMP/redis/log" 2>&1 &
		REDIS_PID=$!
		background "$REDIS_PID"
		i=0
		while kill -0 "$REDIS_PID" 2>/dev/null; do
			redis_answers "$REDIS_PORT" && return 0
			i=$((i + 1))
			[ "$i" -lt 100 ] || break
			sleep 0.1
		done
		kill "$REDIS_PID" 2>/dev/null
		wait "$REDIS_PID" 2>/dev/null
	done
	fail "redis-server did not start: $(tail -3 "$TMP/redis/log")"
}

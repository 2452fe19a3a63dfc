#!/bin/sh
# sharelite and Perl's IPC::ShareLite on the same shares: values cross both
# ways, ls and info see Perl's shares, rm takes Perl's keyed overflow
# segments too, the attach count and locks of a Perl process show, and
# Perl refuses a native share.
. "${srcdir:-.}/tests/cli/common.sh"

perl -MIPC::ShareLite -e 1 2>/dev/null ||
	{ echo "Perl's IPC::ShareLite is not installed"; exit 77; }

# Keys 16 apart: Perl gives overflow segments the keys K+1, K+2, ...
k1=$(key 16)
k2=$(key 32)

# perl_store KEY FILE / perl_fetch KEY FILE: through the Perl module.
perl_store() {
	perl -MIPC::ShareLite -e '
		my ($key, $file) = @ARGV;
		open(my $f, "<:raw", $file) or die "$file: $!\n";
		local $/; my $v = <$f>;
		my $s = IPC::ShareLite->new(-key => $key, -create => "yes", -destroy => "no")
			or die "new: $!\n";
		$s->store($v) or die "store: $!\n";' "$1" "$2" || fail "Perl could not store"
}
perl_fetch() {
	perl -MIPC::ShareLite -e '
		my ($key, $file) = @ARGV;
		my $s = IPC::ShareLite->new(-key => $key, -create => "no", -destroy => "no")
			or die "new: $!\n";
		open(my $f, ">:raw", $file) or die "$file: $!\n";
		print $f $s->fetch;' "$1" "$2" || fail "Perl could not fetch"
}

# Perl writes 150000 bytes: three 65536-byte segments, keyed k1, k1+1, k1+2.
head -c 150000 /dev/urandom >"$TMP/perl_value"
perl_store "$k1" "$TMP/perl_value"
has_shm $((k1 + 1)) && has_shm $((k1 + 2)) || fail "Perl did not make keyed overflow segments"
sl fetch "$k1"
expect_ok "fetch of a Perl share"
cmp -s "$TMP/perl_value" "$OUT" || fail "sharelite read another value than Perl wrote"
ok "sharelite fetches what Perl stored, across three segments"

sl info "$k1"
expect_ok "info of a Perl share"
[ "$(info_field length)" = 150000 ] || fail "length of Perl's value"
[ "$(info_field segments)" = 3 ] || fail "segments of Perl's value"
[ "$(info_field mode)" = 0666 ] || fail "Perl's default mode is 0666, info says $(info_field mode)"
[ "$(info_field version)" = 2 ] || fail "version after Perl's one store"
[ "$(info_field 'writers waiting')" = "not counted (a set made by Perl)" ] ||
	fail "writers waiting in Perl's set: $(info_field 'writers waiting')"
ok "info reads a Perl share"

sl ls
expect_ok "ls"
grep -Eq "^$(hex "$k1") +150000 +2 +3 " "$OUT" || fail "ls does not show Perl's share right"
grep -q "^$(hex $((k1 + 1))) " "$OUT" && fail "ls lists Perl's overflow segment $(hex $((k1 + 1)))"
grep -q "^$(hex $((k1 + 2))) " "$OUT" && fail "ls lists Perl's overflow segment $(hex $((k1 + 2)))"
ok "ls lists Perl's share once, not its overflow segments"

# sharelite writes, Perl reads: longer, then shorter than Perl's chain.
head -c 300000 /dev/urandom >"$TMP/long"
run "$SHARELITE" store "$k1" <"$TMP/long"
expect_ok "store over a Perl share"
perl_fetch "$k1" "$TMP/back"
cmp -s "$TMP/long" "$TMP/back" || fail "Perl read another value than sharelite stored"
sl store "$k1" 'short now'
perl_fetch "$k1" "$TMP/back"
[ "$(cat "$TMP/back")" = 'short now' ] || fail "Perl read $(cat "$TMP/back")"
ok "Perl fetches what sharelite stored over its share, longer and shorter"

# A share made by sharelite, read by Perl with a string key.
name=$(name_key)
printf 'from sharelite\n' | "$SHARELITE" store "$name" || fail "store by name"
perl_fetch "$name" "$TMP/named"
[ "$(cat "$TMP/named")" = 'from sharelite' ] || fail "Perl's key '$name' is another share"
ok "a string key means the same share to Perl and to sharelite"

# watch sees a store by Perl.
"$SHARELITE" watch --count 1 "$name" >"$TMP/watched" 2>&1 &
w=$!
background "$w"
wait_for "$TMP/watched" '^from sharelite$'
printf 'from Perl' >"$TMP/perl_small"
perl_store "$name" "$TMP/perl_small"
wait_exit "$w" || fail "watch of a Perl store failed"
printf 'from sharelite\nfrom Perl\n' | cmp -s - "$TMP/watched" || fail "watch printed: $(cat "$TMP/watched")"
ok "watch sees Perl's store"

# rm takes Perl's whole chain, keyed overflow segments included.
perl_store "$k2" "$TMP/perl_value"
sl rm "$k2"
expect_ok "rm of a Perl share"
for i in 0 1 2; do
	! has_shm $((k2 + i)) || fail "rm left Perl's segment $(hex $((k2 + i)))"
done
! has_sem "$k2" || fail "rm left Perl's semaphore set"
ok "rm removes a Perl share with its keyed overflow segments"

# A Perl process attached, holding a shared lock, then an exclusive one.
perl -MIPC::ShareLite=:lock -e '
	my ($key, $ready, $go) = @ARGV;
	my $s = IPC::ShareLite->new(-key => $key, -create => "no", -destroy => "no")
		or die "new: $!\n";
	$s->lock(LOCK_SH) or die "lock: $!\n";
	system("echo shared >$ready");
	sleep 1 until -e "$go.1";
	$s->unlock; $s->lock(LOCK_EX) or die "lock: $!\n";
	system("echo exclusive >>$ready");
	sleep 1 until -e "$go.2";' "$k1" "$TMP/ready" "$TMP/go" &
holder=$!
background "$holder"
wait_for "$TMP/ready" '^shared$'
sl info "$k1"
expect_ok "info beside a Perl reader"
[ "$(info_field attached)" = 1 ] || fail "a Perl process attached shows as $(info_field attached)"
[ "$(info_field readers)" = 1 ] || fail "Perl's shared lock shows $(info_field readers) readers"
[ "$(info_field writer)" = no ] || fail "Perl's shared lock shows a writer"
ok "info shows a Perl process attached with a shared lock"
touch "$TMP/go.1"
wait_for "$TMP/ready" '^exclusive$'
sl info "$k1"
expect_ok "info beside a Perl writer"
[ "$(info_field writer)" = yes ] || fail "Perl's exclusive lock does not show"
[ "$(info_field readers)" = 0 ] || fail "readers while Perl writes"
ok "info shows Perl's exclusive lock without waiting for it"
touch "$TMP/go.2"
wait_exit "$holder" || fail "the Perl lock holder failed"

# A share that store --native made is one Perl cannot open, as info says;
# Perl's failed attempts leave it as it was.
k3=$(key 48)
sl store --native "$k3" native
expect_ok "store --native"
sl info "$k3"
[ "$(info_field format | cut -d' ' -f1)" = native ] || fail "info format: $(info_field format)"
for create in no yes; do
	perl -MIPC::ShareLite -e '
		IPC::ShareLite->new(-key => $ARGV[0], -create => $ARGV[1], -destroy => "no")
			and exit 0;
		exit 3;' "$k3" "$create" 2>/dev/null &&
		fail "Perl opened a native share (-create => $create)"
done
sl fetch "$k3"
[ "$(cat "$OUT")" = native ] || fail "the native share holds '$(cat "$OUT")' after Perl tried it"
sl info "$k3"
[ "$(info_field version)" = 2 ] || fail "Perl's attempts changed the version to $(info_field version)"
ok "Perl refuses a share made by store --native, and leaves it whole"

done_testing

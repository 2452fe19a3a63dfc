# Keys: a string names the same share on both sides ("data" and the like,
# padded with spaces to four bytes), and so does a number, whether given
# as a number or as a string of digits.
use strict;
use warnings;
use IPC::ShareLite;
use POSIX qw(EEXIST ENOENT);
use Test::More;
use Interop;

# The key IPC::ShareLite itself makes of a string, seen without creating
# anything: its own new(), with the call into the kernel left out.
sub perl_key_of {
	my ($string) = @_;
	no warnings 'redefine';
	local *IPC::ShareLite::new_share = sub { 'no share' };
	local *IPC::ShareLite::destroy_share = sub { 0 };
	my $share = IPC::ShareLite->new(-key => $string, -create => 'no');
	return $share->key;
}

my $c = c_side();
for my $string ('data', 'ab', 'a', "\xe9t\xe9", '0x10', '-5', '1234', '4294967295') {
	my $perl_key = perl_key_of($string);
	is($c->ok_ask('keyof str:' . hexval($string)), unpack('l', pack('L', $perl_key)),
		'C and Perl make one key of ' . hexval($string));
}
is(perl_key_of('data'), 0x61746164, '"data" is 0x61746164 on this machine');
is($c->ok_ask('keyof str:' . hexval('data')), 0x61746164, 'in C too');
$c->finish;

# Shares under string keys of this process's own, so that runs at once
# never meet: four bytes, and three that Perl pads with a space.
my @pid_bytes = map { chr(0x80 | (($$ >> (7 * $_)) & 0x7f)) } 0 .. 2;
my @strings = ('I' . join('', @pid_bytes), join('', @pid_bytes));
for my $string (@strings) {
	my $k = perl_key_of($string);
	die sprintf("key 0x%08x is in use\n", $k)
		if defined shmget($k, 0, 0) or defined sem_set($k);
	own_keys($k, 1);
}

my $key = key_block();
my $round = 0;
for my $order (both_orders()) {
	for my $string (@strings) {
		my ($a, $b) = map { $_->() } @$order;
		my $spec = 'str:' . hexval($string);
		$a->ok_ask("open $spec 0 create 0666", 'creates under ' . hexval($string));
		$b->ok_ask("open $spec 0 attach 0666", 'attaches under the same string');
		ok(defined shmget(perl_key_of($string), 0, 0), 'the share has the key Perl computes');
		$a->ok_ask('store ' . hexval("from " . $a->side), 'stores');
		is($b->ok_ask('fetch'), hexval("from " . $a->side), $b->side . ' reads it');
		$b->ok_ask('remove', 'removes');
		$a->ok_ask('close');
		$_->finish for $a, $b;
	}
	# A number, given as a number (num:) or as its digits (str:).
	my $k = $key + $round++;
	for my $b_spec ("num:$k", 'str:' . hexval($k)) {
		my ($a, $b) = map { $_->() } @$order;
		$a->ok_ask("open num:$k 0 create 0666", "creates under $k");
		$b->ok_ask("open $b_spec 0 attach 0666", "attaches under $b_spec");
		$b->ok_ask('store ' . hexval("from " . $b->side), 'stores');
		is($a->ok_ask('fetch'), hexval("from " . $b->side), $a->side . ' reads it');
		$a->ok_ask('remove', 'removes');
		$b->ok_ask('close');
		$_->finish for $a, $b;
	}
}

# Perl's overflow segments take the keys after the share's: libsharelite
# does not take one of them for a share of its own (Perl would, and
# overwrite its header).
my $k = $key + 100;
my $perl = perl_side();
$perl->ok_ask("open num:$k 64 create 0666", 'creates 64-byte segments');
$perl->ok_ask('store ' . hexval('o' x 200), 'stores 5 segments');
ok(defined shmget($k + 1, 0, 0), 'an overflow segment has key k+1');
my $c_over = c_side();
like($c_over->ask('open num:' . ($k + 1) . ' 0 create 0666'), qr/^err ${\EEXIST()} /,
	'C: creating a share at k+1 fails with EEXIST');
ok(!defined sem_set($k + 1), 'and leaves no semaphore set there');
like($c_over->ask('open num:' . ($k + 1) . ' 0 attach 0666'), qr/^err ${\ENOENT()} /,
	'C: opening k+1 fails with ENOENT');
$c_over->ok_ask("open num:$k 0 attach 0666");
is($c_over->ok_ask('fetch'), hexval('o' x 200), 'C: the chain is whole');
$c_over->ok_ask('close');
$perl->ok_ask('remove', 'removes');
$_->finish for $perl, $c_over;

done_testing;

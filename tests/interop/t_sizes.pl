# Opening with sizes: libsharelite attaches to a share of any segment size
# whatever size it asks for; Perl's opener must ask for no more than the
# head segment holds, and Perl takes -size <= 16 as its default, 65536.
use strict;
use warnings;
use POSIX qw(EINVAL);
use Test::More;
use Interop;

my $key = key_block();

# Perl creates 100-byte segments; C attaches asking any size.
my $perl = perl_side();
$perl->ok_ask("open num:$key 100 create 0666", 'creates with -size 100');
$perl->ok_ask('store ' . hexval('x' x 500), 'stores 500 bytes');
for my $ask (0, 17, 99, 100, 101, 65536, 1 << 20) {
	my $c = c_side();
	$c->ok_ask("open num:$key $ask attach 0666", "attaches asking $ask");
	is($c->ok_ask('size'), 100, "C: segments of 100 bytes");
	is($c->ok_ask('fetch'), hexval('x' x 500), 'C: reads the value');
	$c->ok_ask('close');
	$c->finish;
}

# Perl's opener: the size it asks for must fit in the segment.
for my $ask (17, 100) {
	my $p = perl_side();
	$p->ok_ask("open num:$key $ask attach 0666", "attaches asking $ask");
	is($p->ok_ask('fetch'), hexval('x' x 500), 'perl: reads the value');
	$p->ok_ask('close');
	$p->finish;
}
for my $ask (101, 0) {
	my $p = perl_side();
	like($p->ask("open num:$key $ask attach 0666"), qr/^err ${\EINVAL()} /,
		"perl: asking $ask fails with EINVAL");
	# Its failed open keeps the lock until the process ends.
	$p->finish;
	my $c = c_side();
	$c->ok_ask("open num:$key 0 attach 0666");
	$c->answers('lock ex_nb', 'ok', 'the lock is free once that process ended');
	$c->ok_ask('close');
	$c->finish;
}
$perl->ok_ask('remove', 'removes');

# Perl's -size <= 16 means 65536; C opens those too.
for my $ask (1, 16, 17) {
	my $k = $key + $ask;
	my $p = perl_side();
	$p->ok_ask("open num:$k $ask create 0666", "creates with -size $ask");
	my $want = $ask > 16 ? $ask : 65536;
	is(segment_size(scalar shmget($k, 0, 0)), $want, "head of $want bytes");
	my $c = c_side();
	$c->ok_ask("open num:$k 0 attach 0666");
	is($c->ok_ask('size'), $want, "C: segments of $want bytes");
	$c->ok_ask('store ' . hexval('y' x 40), 'stores 40 bytes');
	is($p->ok_ask('fetch'), hexval('y' x 40), 'perl: reads them');
	$c->ok_ask('close');
	$p->ok_ask('remove', 'removes');
	$_->finish for $p, $c;
}

# C creates 17-byte segments (1 data byte each); Perl opens asking 17.
my $c = c_side();
my $k = $key + 50;
$c->ok_ask("open num:$k 17 create 0666", 'creates with size 17');
my $p = perl_side();
$p->ok_ask("open num:$k 17 attach 0666", 'attaches asking 17');
$p->ok_ask('store ' . hexval("a\0b\n"), 'stores 4 bytes');
is($c->ok_ask('fetch'), hexval("a\0b\n"), 'C: reads them');
is($c->ok_ask('segments'), 4, 'C: 4 segments of 1 byte');
$c->ok_ask('remove', 'removes');
$p->ok_ask('close');
$_->finish for $c, $p;

# C's default size is Perl's: a Perl opener with the default fits.
$c = c_side();
$c->ok_ask("open num:$k 0 create 0666", 'creates with the default size');
$p = perl_side();
$p->ok_ask("open num:$k 0 attach 0666", 'attaches with the default -size');
$c->ok_ask('store ' . hexval('d' x 70000), 'stores 2 segments');
is($p->ok_ask('fetch'), hexval('d' x 70000), 'perl: reads them');
$p->ok_ask('remove', 'removes');
$c->ok_ask('close');

done_testing;

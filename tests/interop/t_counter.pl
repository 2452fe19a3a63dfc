# Several Perl and several C processes add to one counter, each increment
# under LOCK_EX: not one is lost.
use strict;
use warnings;
use Test::More;
use Interop;

my $key = key_block();
my ($per_side, $times) = (3, 1000);

my $round = 0;
for my $order (both_orders()) {
	my $k = $key + 50 * $round++;
	my $creator = $order->[0]->();
	$creator->ok_ask("open num:$k 0 create 0666", 'creates');
	$creator->ok_ask('store ' . hexval('0'), 'stores 0');
	my @workers = map { (perl_side(), c_side()) } 1 .. $per_side;
	$_->ok_ask("open num:$k 0 attach 0666") for grep { $_->side eq 'C' } @workers;
	$_->ok_ask("open num:$k 65536 attach 0666")
		for grep { $_->side eq 'perl' } @workers;
	# All at once: the answers are collected only after every order went out.
	$_->send("incr $times") for @workers;
	is($_->receive, 'ok', $_->side . ": $times increments") for @workers;
	my $total = 2 * $per_side * $times;
	is(pack('H*', $creator->ok_ask('fetch')), $total, "the counter is $total");
	is($creator->ok_ask('version'), 2 + $total, 'one version per store');
	$_->ok_ask('close') for @workers;
	$creator->ok_ask('remove', 'removes');
	$_->finish for $creator, @workers;
}

done_testing;

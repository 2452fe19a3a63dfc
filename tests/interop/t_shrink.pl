# The chain shrinks when either side stores a shorter value: shm_state is
# bumped, the segments beyond the value are removed, and the other side,
# whose mappings of them are stale, still reads right.
use strict;
use warnings;
use Test::More;
use Interop;

my $key = key_block();
my $data = 48;		# 64-byte segments

sub value_of { my ($segs, $c) = @_; return $c x ($segs * $data - 3) }

sub shm_state { (head_header($_[0]))[2] }

my $round = 0;
for my $order (both_orders()) {
	my ($a, $b) = map { $_->() } @$order;
	my $k = $key + 100 * $round++;
	$a->ok_ask("open num:$k 64 create 0666", 'creates 64-byte segments');
	$b->ok_ask("open num:$k 64 attach 0666", 'attaches');
	my $version = 1;
	my $state = shm_state($k);

	# Both sides map all ten segments.
	$a->ok_ask('store ' . hexval(value_of(10, 'a')), 'stores 10 segments');
	all_agree($k, value_of(10, 'a'), ++$version, $a, $b);
	is(shm_state($k), $state, 'growing leaves shm_state');
	my @old = chain_ids($k);

	for my $step ([$b, 1, 'b'], [$a, 0, 'c'], [$b, 4, 'd'], [$a, 2, 'e']) {
		my ($writer, $segs, $c) = @$step;
		my $value = $segs ? value_of($segs, $c) : '';
		my $before = scalar chain_ids($k);
		$writer->ok_ask('store ' . hexval($value),
			'stores ' . length($value) . ' bytes');
		$state++ if ($segs || 1) < $before;
		is(shm_state($k), $state, "shm_state is $state");
		all_agree($k, $value, ++$version, $a, $b);
	}
	ok(!grep(segment_exists($_), @old[1 .. $#old]),
		'the first overflow segments are gone');

	# The other side shrinks and grows again before this one reads: the
	# chain it mapped is not the chain there is.
	$a->ok_ask('store ' . hexval(value_of(6, 'f')), 'stores 6 segments');
	all_agree($k, value_of(6, 'f'), ++$version, $a, $b);
	$b->ok_ask('store ' . hexval('g'), 'shrinks to 1');
	$b->ok_ask('store ' . hexval(value_of(8, 'h')), 'grows to 8');
	$version += 2;
	is(shm_state($k), $state + 1, 'one shrink, one bump');
	is($a->ok_ask('fetch'), hexval(value_of(8, 'h')), $a->side . ' reads the new chain');
	all_agree($k, value_of(8, 'h'), $version, $a, $b);

	$b->ok_ask('remove', 'removes');
	$a->ok_ask('close');
	$_->finish for $a, $b;
}

done_testing;

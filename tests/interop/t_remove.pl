# A share removed from either side is gone for both: every segment of the
# chain (Perl's keyed overflow segments and libsharelite's private ones)
# and the semaphore set, as ipcs shows once both have let go.
use strict;
use warnings;
use POSIX qw(ENOENT);
use Test::More;
use Interop;

my $key = key_block();

sub in_ipcs {
	my ($k, @ids) = @_;
	my $hex = sprintf '0x%08x', $k;
	my @found;
	for (split /\n/, `ipcs -m` . `ipcs -s`) {
		my ($key_col, $id) = split ' ';
		next unless defined $id;
		push @found, $_ if $key_col eq $hex or grep { $id eq $_ } @ids;
	}
	return @found;
}

my $round = 0;
for my $creator_side (\&perl_side, \&c_side) {
	for my $remover_is_creator (1, 0) {
		my $k = $key + 40 * $round++;
		my $creator = $creator_side->();
		my $other = $creator->side eq 'C' ? perl_side() : c_side();
		my ($perl, $c) = $creator->side eq 'C' ? ($other, $creator) : ($creator, $other);
		$creator->ok_ask("open num:$k 64 create 0666", 'creates');
		$other->ok_ask("open num:$k 64 attach 0666", 'attaches');
		# Perl makes the first 5 segments (keys k+1..), C adds 4 private ones.
		$perl->ok_ask('store ' . hexval('p' x (5 * 48)), 'stores 5 segments');
		$c->ok_ask('store ' . hexval('c' x (9 * 48)), 'stores 9 segments');
		my @ids = chain_ids($k);
		is(scalar @ids, 9, 'a chain of 9');
		is(scalar(grep { defined shmget($_, 0, 0) } $k + 1 .. $k + 4), 4,
			"Perl's overflow segments have keys");

		my ($remover, $survivor) = $remover_is_creator ? ($creator, $other) : ($other, $creator);
		note($remover->side . ' removes, ' . $survivor->side . ' was attached');
		$remover->ok_ask('remove', 'removes');
		like($survivor->ask('store ' . hexval('late')), qr/^err /,
			$survivor->side . ': a store fails');
		like($survivor->ask('fetch'), qr/^err /, $survivor->side . ': a fetch fails');
		$survivor->ok_ask('close', 'closes');
		$_->finish for $remover, $survivor;

		ok(!grep(segment_exists($_), @ids), 'no segment of the chain is left');
		ok(!defined sem_set($k), 'the semaphore set is gone');
		ok(!grep({ defined shmget($_, 0, 0) } $k .. $k + 10), 'no key is left');
		is(join("\n", in_ipcs($k, @ids)), '', 'ipcs shows none of it');
		for my $side (\&perl_side, \&c_side) {
			my $d = $side->();
			like($d->ask("open num:$k 64 attach 0666"), qr/^err ${\ENOENT()} /,
				$d->side . ': opening it fails with ENOENT');
			$d->finish;
		}
	}
}

done_testing;

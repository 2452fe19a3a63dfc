# Values written by one side are read byte-exact by the other, whatever
# segment size the creator chose, from empty to dozens of segments; version
# and num_segments agree after every store.
use strict;
use warnings;
use Test::More;
use Interop;

my $key = key_block();

# Bytes of every value, NUL and newline included, in an order that changes.
sub bytes_of {
	my ($n, $seed) = @_;
	return join '', map { chr(($_ * 131 + $seed * 7) % 256) } 0 .. $n - 1;
}

# The sizes each side creates with. Perl takes -size <= 16 as 65536.
my %creator_sizes = (perl => [64, 100, 4096, 0], C => [17, 64, 1000, 0]);

for my $order (both_orders()) {
	for my $i (0 .. 3) {
		my ($a, $b) = map { $_->() } @$order;
		my $size = $creator_sizes{$a->side}[$i];
		# Perl's overflow keys: at most 40 after each share's.
		my $k = $key + 100 * ($a->side eq 'C');
		$a->ok_ask("open num:$k $size create 0666", "creates with size $size");
		my $segsz = segment_size(scalar shmget($k, 0, 0));
		is($segsz, $size || 65536, "head segment of $segsz bytes");
		# Perl must not ask for more than there is; libsharelite asks for nothing.
		my $ask = $b->side eq 'perl' ? $segsz : 0;
		$b->ok_ask("open num:$k $ask attach 0666", "opens with size $ask");
		my $data = $segsz - 16;
		my $version = 1;
		all_agree($k, '', $version, $a, $b);
		# Empty to 31 segments and back; 256 bytes where that is few segments.
		my @lengths = (1, $data < 256 ? $data : 256, $data, $data + 1,
			3 * $data - 1, 30 * $data + 5, 0, $data * 2, 5);
		for my $n (0 .. $#lengths) {
			my $value = bytes_of($lengths[$n], $n);
			my $writer = $n % 2 ? $b : $a;
			$writer->ok_ask('store ' . hexval($value),
				"stores $lengths[$n] bytes");
			all_agree($k, $value, ++$version, $a, $b);
		}
		$a->ok_ask('remove', 'removes');
		$b->ok_ask('close', 'closes');
		$_->finish for $a, $b;
		ok(!defined shmget($k, 0, 0) && !defined sem_set($k), 'removed');
	}
}

done_testing;

# slp.pl - the Perl side of the interop tests: slc's protocol (see slc.c
# and Interop.pm) spoken through the real IPC::ShareLite.
use strict;
use warnings;
use IPC::ShareLite qw(:lock);

# A driver outlives a test that died only this long.
alarm 600;
$| = 1;

my $share;

sub error_answer {
	my ($why) = @_;
	my $errno = $! + 0;
	$why =~ s/\s+/ /g;
	return "err $errno $why";
}

# "num:DECIMAL" is passed as a number; "str:HEX" as the string it encodes.
sub key_of {
	my ($spec) = @_;
	return $1 if $spec =~ /^num:(\d+)$/;
	return pack('H*', $1) if $spec =~ /^str:((?:[0-9a-f]{2})+)$/;
	die "bad key $spec\n";
}

my %lock_ops = (
	ex => LOCK_EX, sh => LOCK_SH,
	ex_nb => LOCK_EX | LOCK_NB, sh_nb => LOCK_SH | LOCK_NB,
);

# The module's lock(): 1 done, 0 would block (LOCK_NB), undef error.
# Releasing goes through unlock(): lock(LOCK_UN) releases the semaphore but
# leaves the handle believing it holds the lock, so its next lock() would
# take nothing.
sub lock_answer {
	my ($name) = @_;
	my $rc = $name eq 'un' ? $share->unlock : $share->lock($lock_ops{$name});
	return error_answer('lock') unless defined $rc;
	return $rc ? 'ok' : 'wouldblock';
}

sub increment {
	my ($n) = @_;
	for (1 .. $n) {
		defined $share->lock(LOCK_EX) or return error_answer('lock');
		$share->store($share->fetch + 1);
		defined $share->unlock or return error_answer('unlock');
	}
	return 'ok';
}

my %commands = (
	open => sub {
		my ($key, $size, $how, $mode) = split / /, $_[0];
		$share = IPC::ShareLite->new(-key => key_of($key), -size => $size,
			-create => $how eq 'create' ? 'yes' : 'no',
			-destroy => 'no', -mode => oct $mode);
		return 'ok';
	},
	store => sub { $share->store(pack 'H*', $_[0]); 'ok' },
	fetch => sub { 'ok ' . unpack 'H*', $share->fetch },
	lock => \&lock_answer,
	incr => \&increment,
	version => sub { 'ok ' . $share->version },
	segments => sub {
		my $n = $share->num_segments;
		defined $n ? "ok $n" : error_answer('num_segments');
	},
	close => sub { undef $share; 'ok' },
	# The destructor removes what destroy(1) marks.
	remove => sub { $share->destroy(1); undef $share; 'ok' },
);

while (my $line = <STDIN>) {
	chomp $line;
	my ($name, $args) = split / /, $line, 2;
	my $command = $commands{$name};
	my $answer;
	if (!$command) {
		$answer = 'err 22 unknown command';
	} else {
		$answer = eval { $command->($args // '') };
		$answer = error_answer($@) unless defined $answer;
	}
	print "$answer\n";
}

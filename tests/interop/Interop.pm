# Interop.pm - what the interop tests share: drivers for both sides, keys
# of their own, looks at the kernel's objects, and a clean-up that runs
# however a test ends.
#
# A driver is a process holding one share handle: slc (libsharelite) or
# slp.pl (IPC::ShareLite). Both read one command a line and answer one line:
#   open KEY SIZE create|attach MODE   KEY is num:DECIMAL or str:HEX
#   store HEX | fetch (ok HEX) | lock ex|sh|ex_nb|sh_nb|un
#   incr N | version (ok N) | segments (ok N) | close | remove
#   keyof KEY (slc only: ok NUMBER)
# Answers: "ok [value]", "wouldblock", "err ERRNO text".
package Interop;
use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(dirname);
use IO::Select;
use IPC::Open2 qw(open2);
use IPC::SysV qw(IPC_STAT IPC_RMID GETZCNT GETNCNT);
use IPC::SharedMem;
use POSIX qw(WNOHANG);
use Test::More;

our @EXPORT = qw(perl_side c_side both_orders key_block own_keys hexval
	head_header chain_ids segment_size segment_exists sem_set
	waiters wait_until await_blocked all_agree);

# Every wait is bounded: past this a test fails instead of hanging.
our $TIMEOUT = 120;

my $here = dirname(__FILE__);
my $slc = $ENV{SLC} or die "SLC: path of the slc program\n";
my @drivers;
my @keys_made;

# Keys 0x5d PPPP nn: nobody else's, and room after each for Perl's overflow
# segments at key+1, key+2, ...
sub key_block {
	my $base = 0x5d000000 | (($$ & 0xffff) << 8);
	for my $k ($base .. $base + 255) {
		die sprintf("key 0x%08x is in use: remove it or rerun\n", $k)
			if defined shmget($k, 0, 0) or defined semget($k, 0, 0);
	}
	push @keys_made, [$base, 256];
	return $base;
}

# Ask the clean-up to look after keys this test makes outside key_block().
sub own_keys { push @keys_made, [@_] }

sub spawn {
	my ($side, @command) = @_;
	my ($from, $to);
	my $pid = open2($from, $to, @command);
	my $d = bless { side => $side, pid => $pid, from => $from, to => $to,
		buf => '' }, 'Interop::Driver';
	push @drivers, $d;
	return $d;
}

sub perl_side { spawn('perl', $^X, "$here/slp.pl") }
sub c_side { spawn('C', $slc) }

# Each pair of sides, in both orders: [first, second] as constructors.
sub both_orders {
	return ([\&perl_side, \&c_side], [\&c_side, \&perl_side]);
}

sub hexval { unpack 'H*', $_[0] }

sub segment_stat {
	my ($shmid) = @_;
	my $data = '';
	shmctl($shmid, IPC_STAT, $data) or return undef;
	return 'IPC::SharedMem::stat'->new->unpack($data);
}

sub segment_exists { defined segment_stat($_[0]) }
sub segment_size { my $st = segment_stat($_[0]); $st ? $st->segsz : undef }

# (next_shmid, length, shm_state, version) of a segment's header.
sub header_of {
	my ($shmid) = @_;
	my $raw;
	shmread($shmid, $raw, 0, 16) or return;
	return unpack 'l l L L', $raw;
}

sub head_header {
	my $shmid = shmget($_[0], 0, 0);
	return defined $shmid ? header_of($shmid) : ();
}

# Every shmid of the chain at KEY, head first; stops at a size that is not
# the chain's (not ours) and at a cycle.
sub chain_ids {
	my ($key) = @_;
	my $id = shmget($key, 0, 0);
	return () unless defined $id;
	my $size = segment_size($id);
	my (@ids, %seen);
	while (defined $id && $id >= 0 && !$seen{$id}++) {
		last unless (segment_size($id) // -1) == $size;
		push @ids, $id;
		($id) = header_of($id);
	}
	return @ids;
}

sub sem_set { semget($_[0], 0, 0) }

# Processes waiting for the share's lock (semaphores 1 and 2).
sub waiters {
	my $semid = sem_set($_[0]);
	return 0 unless defined $semid;
	my $n = 0;
	for my $sem (1, 2) {
		$n += (semctl($semid, $sem, $_, 0) // 0) for GETZCNT, GETNCNT;
	}
	return $n;
}

# Poll until the condition holds; false if it never did within $TIMEOUT.
sub wait_until {
	my ($cond) = @_;
	my $deadline = time + $TIMEOUT;
	until ($cond->()) {
		return 0 if time > $deadline;
		select(undef, undef, undef, 0.01);
	}
	return 1;
}

# Pass when N processes wait for KEY's lock and no answer came early.
sub await_blocked {
	my ($key, $n, @pending) = @_;
	my $blocked = wait_until(sub { waiters($key) >= $n });
	ok($blocked && !grep($_->ready, @pending), "$n waiting for the lock")
		or diag('waiters: ' . waiters($key));
}

# Every driver fetches VALUE and reports VERSION and the chain's length,
# which the kernel's objects confirm.
sub all_agree {
	my ($key, $value, $version, @drivers) = @_;
	my @ids = chain_ids($key);
	my $data_size = segment_size($ids[0]) - 16;
	my $segments = int((length($value) + $data_size - 1) / $data_size) || 1;
	is(scalar @ids, $segments, "$segments segments in the chain");
	is((head_header($key))[3], $version, "version $version in the header");
	for my $d (@drivers) {
		my $got = $d->ok_ask('fetch');
		ok(defined $got && $got eq hexval($value),
			$d->side . ' reads the ' . length($value) . ' bytes exactly');
		is($d->ok_ask('version'), $version, $d->side . ": version $version");
		is($d->ok_ask('segments'), $segments, $d->side . ": $segments segments");
	}
}

sub remove_chain {
	my ($key) = @_;
	shmctl($_, IPC_RMID, 0) for reverse chain_ids($key);
	my $id = shmget($key, 0, 0);
	shmctl($id, IPC_RMID, 0) if defined $id;
	my $semid = semget($key, 0, 0);
	semctl($semid, 0, IPC_RMID, 0) if defined $semid;
}

# A test stopped from outside still cleans up.
$SIG{$_} = sub { die "stopped by a signal\n" } for qw(TERM INT HUP PIPE);

# Whatever happened: remove every object under our keys, then end the
# drivers (removing the semaphores wakes one that waits for a lock).
END {
	my $status = $?;
	for my $range (@keys_made) {
		my ($base, $n) = @$range;
		eval { remove_chain($_) } for $base .. $base + $n - 1;
	}
	eval { $_->finish } for @drivers;
	$? = $status;
}

package Interop::Driver;
use Test::More;

sub side { $_[0]{side} }

sub send {
	my ($self, $line) = @_;
	my $fh = $self->{to};
	print $fh "$line\n" or die "$self->{side}: cannot write: $!\n";
	$fh->flush;
}

# Whether a whole answer is waiting to be read.
sub ready {
	my ($self) = @_;
	return 1 if $self->{buf} =~ /\n/;
	return IO::Select->new($self->{from})->can_read(0) ? 1 : 0;
}

# The next answer; dies if none comes within the timeout.
sub receive {
	my ($self) = @_;
	my $select = IO::Select->new($self->{from});
	my $deadline = time + $Interop::TIMEOUT;
	my $end;
	while (($end = index $self->{buf}, "\n") < 0) {
		my $left = $deadline - time;
		die "$self->{side}: no answer in time\n"
			if $left <= 0 or !$select->can_read($left);
		sysread($self->{from}, $self->{buf}, 1 << 20, length $self->{buf})
			or die "$self->{side}: driver ended\n";
	}
	my $line = substr $self->{buf}, 0, $end;
	substr($self->{buf}, 0, $end + 1) = '';
	return $line;
}

sub ask {
	my ($self, $line) = @_;
	$self->send($line);
	return $self->receive;
}

# Ask and expect "ok"; returns the value after it (undef on failure).
# With WHAT the success counts as a test too; a failure always does.
sub ok_ask {
	my ($self, $line, $what) = @_;
	my $answer = $self->ask($line);
	my $short = length $line > 40 ? substr($line, 0, 40) . '...' : $line;
	my ($value) = $answer =~ /^ok ?(.*)$/s;
	if (defined $what || !defined $value) {
		ok(defined $value, "$self->{side}: " . ($what // $short))
			or diag("answer: $answer");
	}
	return $value;
}

# Ask and expect exactly ANSWER.
sub answers {
	my ($self, $line, $answer, $what) = @_;
	is($self->ask($line), $answer, "$self->{side}: $what");
}

sub finish {
	my ($self) = @_;
	return unless $self->{pid};
	close $self->{to};
	my $deadline = time + $Interop::TIMEOUT;
	while (waitpid($self->{pid}, POSIX::WNOHANG()) == 0) {
		if (time > $deadline) {
			kill 'KILL', $self->{pid};
			waitpid($self->{pid}, 0);
			last;
		}
		select(undef, undef, undef, 0.01);
	}
	$self->{exit} = $?;
	delete $self->{pid};
}

1;

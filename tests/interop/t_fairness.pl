# Fairness across the two sides: in a set libsharelite created (four
# semaphores) a C writer that waits holds off new C readers, while Perl's
# readers and writers ignore the fourth semaphore; in a set Perl created
# (three) nobody queues, as before. Shown by who is refused with LOCK_NB
# while a writer waits, never by timing.
use strict;
use warnings;
use IPC::SysV qw(GETVAL);
use IPC::Semaphore;
use Test::More;
use Interop;

my $key = key_block();

sub nsems {
	my $set = IPC::Semaphore->new($_[0], 0, 0) or return -1;
	return $set->stat->nsems;
}

sub writers_waiting { semctl(sem_set($_[0]), 3, GETVAL, 0) + 0 }

my $round = 0;
for my $creator_side (\&perl_side, \&c_side) {
	my $k = $key + 40 * $round++;
	my $creator = $creator_side->();
	my $queued = $creator->side eq 'C';
	my ($reader, $writer, $late) = map { c_side() } 1 .. 3;
	my $perl = perl_side();
	$creator->ok_ask("open num:$k 4096 create 0666", 'creates');
	$_->ok_ask("open num:$k 4096 attach 0666", 'attaches')
		for $reader, $writer, $late, $perl;
	is(nsems($k), $queued ? 4 : 3,
		$creator->side . ' made a set of ' . ($queued ? 4 : 3) . ' semaphores');

	note('a C reader holds LOCK_SH while a C writer waits');
	$reader->answers('lock sh', 'ok', 'LOCK_SH');
	$writer->send('lock ex');
	await_blocked($k, 1, $writer);
	if ($queued) {
		is(writers_waiting($k), 1, 'the writer counts itself as waiting');
		$late->answers('lock sh_nb', 'wouldblock', 'a new C reader queues behind it');
	} else {
		$late->answers('lock sh_nb', 'ok', 'a new C reader does not queue');
		$late->answers('lock un', 'ok', 'unlock');
	}
	$perl->answers('lock sh_nb', 'ok', 'a Perl reader does not queue');
	$perl->answers('lock un', 'ok', 'unlock');
	$reader->answers('lock un', 'ok', 'the first reader leaves');
	is($writer->receive, 'ok', 'C: the writer gets LOCK_EX');
	is(writers_waiting($k), 0, 'and no longer counts') if $queued;
	$writer->ok_ask('store ' . hexval('written'));
	$writer->answers('lock un', 'ok', 'unlock');

	note('a Perl writer that waits holds off no reader');
	$reader->answers('lock sh', 'ok', 'LOCK_SH');
	$perl->send('lock ex');
	await_blocked($k, 1, $perl);
	is(writers_waiting($k), 0, 'Perl counts nothing') if $queued;
	$late->answers('lock sh_nb', 'ok', 'a new C reader beside the waiting Perl writer');
	$late->answers('lock un', 'ok', 'unlock');
	$reader->answers('lock un', 'ok', 'unlock');
	is($perl->receive, 'ok', 'perl: LOCK_EX once the readers left');
	is($perl->ok_ask('fetch'), hexval('written'), 'perl reads what C stored');
	$perl->answers('lock un', 'ok', 'unlock');

	$creator->ok_ask('remove', 'removes');
	$_->finish for $creator, $reader, $writer, $late, $perl;
}

done_testing;

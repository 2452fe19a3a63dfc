# The lock is one lock: what a Perl process holds, a C process waits for or
# is refused with LOCK_NB, and the other way round; readers of both sides
# hold LOCK_SH together. Ordering is shown by who waits on the semaphores
# and by which value wins, never by timing.
use strict;
use warnings;
use IPC::SysV qw(GETVAL);
use Test::More;
use Interop;

my $key = key_block();

sub semval {
	my ($k, $n) = @_;
	return semctl(sem_set($k), $n, GETVAL, 0) + 0;
}

my $round = 0;
for my $order (both_orders()) {
	my ($holder, $other) = map { $_->() } @$order;
	my ($h, $o) = ($holder->side, $other->side);
	my $k = $key + 50 * $round++;
	$holder->ok_ask("open num:$k 4096 create 0666", 'creates');
	$other->ok_ask("open num:$k 4096 attach 0666", 'attaches');
	$holder->ok_ask('store ' . hexval('v0'));

	note("$h holds LOCK_EX: $o is refused, then waits");
	$holder->answers('lock ex', 'ok', 'LOCK_EX');
	is(semval($k, 2), 1, 'the writer semaphore is up');
	$other->answers('lock ex_nb', 'wouldblock', 'LOCK_EX|LOCK_NB would block');
	$other->answers('lock sh_nb', 'wouldblock', 'LOCK_SH|LOCK_NB would block');
	$other->send('store ' . hexval("$o was here"));
	await_blocked($k, 1, $other);
	is($holder->ok_ask('fetch'), hexval('v0'), "$h: the store has not happened");
	$holder->ok_ask('store ' . hexval("$h first"));
	$holder->answers('lock un', 'ok', 'unlock');
	is($other->receive, 'ok', "$o: the store went through after the unlock");
	is($holder->ok_ask('fetch'), hexval("$o was here"), "$h: $o stored last");

	$holder->answers('lock ex', 'ok', 'LOCK_EX again');
	$other->send('fetch');
	await_blocked($k, 1, $other);
	$holder->ok_ask('store ' . hexval("$h second"));
	$holder->answers('lock un', 'ok', 'unlock');
	is($other->receive, 'ok ' . hexval("$h second"),
		"$o: the fetch waited and read what $h stored under the lock");

	note("LOCK_SH on both sides at once");
	$holder->answers('lock sh', 'ok', 'LOCK_SH');
	$other->answers('lock sh_nb', 'ok', 'LOCK_SH|LOCK_NB beside it');
	is(semval($k, 1), 2, 'two readers on the semaphore');
	is($holder->ok_ask('fetch'), hexval("$h second"), "$h reads");
	is($other->ok_ask('fetch'), hexval("$h second"), "$o reads");
	$other->answers('lock un', 'ok', 'unlock');
	$other->answers('lock ex_nb', 'wouldblock', 'LOCK_EX|LOCK_NB beside a reader');
	$other->send('store ' . hexval('after the reader'));
	await_blocked($k, 1, $other);
	is($holder->ok_ask('fetch'), hexval("$h second"), "$h: still its value");
	$holder->answers('lock un', 'ok', 'unlock');
	is($other->receive, 'ok', "$o: stored once the reader left");
	is($holder->ok_ask('fetch'), hexval('after the reader'), "$h reads it");

	note("$o closes while $h holds LOCK_EX");
	$holder->answers('lock ex', 'ok', 'LOCK_EX');
	$other->send('close');
	if ($o eq 'perl') {
		# IPC::ShareLite's destructor takes the exclusive lock.
		await_blocked($k, 1, $other);
		$holder->answers('lock un', 'ok', 'unlock');
		is($other->receive, 'ok', 'perl: closed once the lock was free');
	} else {
		is($other->receive, 'ok', 'C: closes without waiting for the lock');
		$holder->answers('lock un', 'ok', 'unlock');
	}
	$holder->ok_ask('remove', 'removes');
	$_->finish for $holder, $other;
}

# A process that dies holding LOCK_EX gives it back (SEM_UNDO), to a
# process of the other side too.
for my $order (both_orders()) {
	my ($dying, $other) = map { $_->() } @$order;
	my $k = $key + 50 * $round++;
	$dying->ok_ask("open num:$k 4096 create 0666", 'creates');
	$other->ok_ask("open num:$k 4096 attach 0666", 'attaches');
	$dying->answers('lock ex', 'ok', 'LOCK_EX');
	$other->answers('lock ex_nb', 'wouldblock', 'LOCK_EX|LOCK_NB would block');
	kill 'KILL', $dying->{pid};
	$dying->finish;
	$other->answers('lock ex_nb', 'ok', 'LOCK_EX|LOCK_NB once the holder died');
	$other->ok_ask('store ' . hexval('alive'), 'stores under it');
	$other->answers('lock un', 'ok', 'unlock');
	is($other->ok_ask('fetch'), hexval('alive'), 'reads it back');
	$other->ok_ask('remove', 'removes');
	$other->finish;
}

done_testing;

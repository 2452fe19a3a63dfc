/*
 * cleanup.c - the benchmark's IPC objects, removed at exit and on a signal.
 * The handler only records the signal: removing takes the share's lock,
 * which is no work for a handler; the measuring loops look at the flag.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cleanup.h"
#include "ipcsl/semlock.h"

#define MAX_SHARES 8
#define MAX_SEMSETS 2

volatile sig_atomic_t bench_signal;

static share_t *shares[MAX_SHARES];
static int semsets[MAX_SEMSETS] = { -1, -1 };
/* The temporary directory, or "": flat, so its files go by unlinkat(). */
static char temp_dir[PATH_MAX];
static const int stopping_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

#define NSIGNALS (sizeof(stopping_signals) / sizeof(stopping_signals[0]))

static void note_signal(int sig)
{
	bench_signal = sig;
}

static void handle_stopping_signals(void (*handler)(int))
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++)
		sigaction(stopping_signals[i], &sa, NULL);
}

void cleanup_install(void)
{
	handle_stopping_signals(note_signal);
	atexit(cleanup_all);
}

void cleanup_in_child(void)
{
	handle_stopping_signals(SIG_DFL);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

share_t *cleanup_share_new(size_t segment_size, int flags)
{
	size_t i;

	for (i = 0; i < MAX_SHARES; i++) {
		if (!shares[i]) {
			shares[i] = share_new(IPC_PRIVATE, segment_size, IPC_CREAT | 0600 | flags);
			return shares[i];
		}
	}
	errno = EMFILE;
	return NULL;
}

void cleanup_share_remove(share_t *share)
{
	size_t i;

	for (i = 0; i < MAX_SHARES; i++) {
		if (shares[i] == share) {
			share_remove(share);
			share_close(share);
			shares[i] = NULL;
		}
	}
}

int cleanup_semset_new(void)
{
	size_t i;

	for (i = 0; i < MAX_SEMSETS; i++) {
		if (semsets[i] < 0) {
			semsets[i] = semget(IPC_PRIVATE, SEMLOCK_NSEMS, IPC_CREAT | 0600);
			return semsets[i];
		}
	}
	errno = EMFILE;
	return -1;
}

const char *cleanup_dir_new(const char *parent)
{
	if (temp_dir[0]) {
		errno = EBUSY;
		return NULL;
	}
	if ((size_t)snprintf(temp_dir, sizeof(temp_dir), "%s/sharelite-bench.XXXXXX", parent) >=
	    sizeof(temp_dir)) {
		temp_dir[0] = '\0';
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!mkdtemp(temp_dir)) {
		temp_dir[0] = '\0';
		return NULL;
	}
	return temp_dir;
}

void cleanup_dir_remove(void)
{
	DIR *dir;
	struct dirent *entry;

	if (!temp_dir[0])
		return;
	dir = opendir(temp_dir);
	while (dir && (entry = readdir(dir)) != NULL)
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
			unlinkat(dirfd(dir), entry->d_name, 0);
	if (dir)
		closedir(dir);
	rmdir(temp_dir);
	temp_dir[0] = '\0';
}

void cleanup_all(void)
{
	size_t i;

	for (i = 0; i < MAX_SHARES; i++)
		if (shares[i])
			cleanup_share_remove(shares[i]);
	for (i = 0; i < MAX_SEMSETS; i++) {
		if (semsets[i] >= 0)
			semctl(semsets[i], 0, IPC_RMID);
		semsets[i] = -1;
	}
	cleanup_dir_remove();
}

void cleanup_and_reraise(void)
{
	int sig = bench_signal;

	cleanup_all();
	if (sig) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/*
 * anonymous_fork.c - share data among a parent and its children with no key
 * at all, as IPC::Mmap::Share does, but with a value that grows past its
 * first segment.
 *
 * The parent makes an IPC_PRIVATE share and forks workers; each appends a
 * line to the shared value under LOCK_EX. The last process to close an
 * IPC_PRIVATE share removes it from the system.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <sharelite.h>

#define WORKERS 4

static int append_line(share_t *share, int worker)
{
	char line[64];
	void *old;
	ssize_t length;
	int n, rc = -1;

	n = snprintf(line, sizeof(line), "worker %d (pid %ld) was here\n", worker, (long)getpid());
	if (share_lock(share, LOCK_EX) < 0)
		return -1;
	length = share_fetch(share, &old);
	if (length >= 0) {
		char *value = malloc((size_t)length + (size_t)n);

		if (value) {
			memcpy(value, old, (size_t)length);
			memcpy(value + length, line, (size_t)n);
			rc = share_store(share, value, (size_t)length + (size_t)n);
			free(value);
		}
		free(old);
	}
	share_unlock(share);
	return rc;
}

int main(void)
{
	/* Small segments, so four lines need a chain of several. */
	share_t *share = share_new(IPC_PRIVATE, 64, IPC_CREAT | 0600);
	void *value;
	ssize_t length;
	int i, failed = 0;

	if (!share) {
		perror("share_new");
		return 1;
	}
	for (i = 0; i < WORKERS; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			failed = 1;
			break;
		}
		if (pid == 0)
			_exit(append_line(share, i) == 0 && share_close(share) == 0 ? 0 : 1);
	}
	while (wait(&i) > 0)
		failed |= !WIFEXITED(i) || WEXITSTATUS(i) != 0;

	length = share_fetch(share, &value);
	if (length < 0) {
		perror("share_fetch");
		return 1;
	}
	printf("%s%zd bytes in %d segments, version %u\n", (char *)value, length,
	       share_num_segments(share), share_version(share));
	free(value);
	if (share_close(share) < 0) {	/* the last one attached: removes it */
		perror("share_close");
		return 1;
	}
	return failed;
}

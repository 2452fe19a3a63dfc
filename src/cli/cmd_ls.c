/*
 * cmd_ls.c - sharelite ls: every share on the system, found in the kernel's
 * lists, so that shares made by Perl's IPC::ShareLite show too. A share is a
 * key with a set of three semaphores (four if libsharelite made it, two in
 * the native format) and a segment; Perl's overflow segments have keys of
 * their own but no semaphores, and are not listed.
 *
 * Shares on a Redis server are not listed: the command knows no server.
 *
 * The columns: KEY LENGTH VERSION SEGMENTS OWNER FORMAT [NAME]. The name,
 * which not every key has, stays last, so every other column keeps its
 * place on every line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sysvipc.h"

#define FIELD_BUF 32

struct listed {
	key_t key;
	uid_t uid;
};

static int by_key(const void *a, const void *b)
{
	unsigned ka = (unsigned)((const struct listed *)a)->key;
	unsigned kb = (unsigned)((const struct listed *)b)->key;

	return ka < kb ? -1 : ka > kb;
}

/* The keys that have both a share's semaphore set and a segment, sorted. */
static struct listed *find_shares(size_t *n)
{
	struct sysv_list shm, sem;
	struct listed *found = NULL;
	size_t i;

	*n = 0;
	if (sysv_read(SYSV_SHM, &shm) < 0)
		return NULL;
	if (sysv_read(SYSV_SEM, &sem) < 0) {
		sysv_free(&shm);
		return NULL;
	}
	found = calloc(sem.n ? sem.n : 1, sizeof(*found));
	for (i = 0; found && i < sem.n; i++) {
		const struct sysv_object *seg;

		if (sem.objects[i].key == IPC_PRIVATE || !SHARE_NSEMS_OK(sem.objects[i].count))
			continue;
		seg = sysv_find(&shm, sem.objects[i].key);
		if (!seg)
			continue;
		found[*n].key = seg->key;
		found[*n].uid = seg->uid;
		(*n)++;
	}
	sysv_free(&shm);
	sysv_free(&sem);
	if (found)
		qsort(found, *n, sizeof(*found), by_key);
	return found;
}

/* One line. A share this user may not open still shows, with dashes. */
static void print_share(const struct listed *s)
{
	struct keyarg k = { .text = "", .key = s->key };
	char length[FIELD_BUF] = "-", version[FIELD_BUF] = "-", segments[FIELD_BUF] = "-";
	const char *format = "-";
	char owner[FIELD_BUF], name[FIELD_BUF];
	struct share_info in;
	share_t *share = open_existing(&k);

	if (!share && (errno == ENOENT || errno == EIDRM))
		return;		/* removed since the lists were read */
	if (!share && errno == EEXIST)
		return;		/* objects of the right kinds, but no share's */
	if (share && share_stat(share, &in) == 0) {
		snprintf(length, sizeof(length), "%zu", in.length);
		snprintf(version, sizeof(version), "%u", in.version);
		if (in.segments >= 0)
			snprintf(segments, sizeof(segments), "%d", in.segments);
		format = format_name(in.format);
	}
	if (share)
		share_close(share);
	printf("0x%08x %10s %8s %8s  %-8s ", (unsigned)s->key, length, version, segments,
	       user_name(s->uid, owner, sizeof(owner)));
	if (key_as_string(s->key, name))
		printf("%-6s %s\n", format, name);
	else
		printf("%s\n", format);
}

int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-header", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		TIMEOUT_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct listed *shares;
	size_t n, i;
	int c, header = 1, rc = -1;

	while ((c = next_option(argc, argv, ":nh", opts, &rc)) >= 0)
		header = 0;	/* 'n', the only option left */
	if (rc >= 0)
		return rc;
	if (optind < argc && !strncmp(argv[optind], "redis", 5))
		return usage_error(argv[0], "lists SysV shares only: a Redis server's "
				   "shares are not listed");
	if (optind < argc)
		return usage_error(argv[0], "takes no arguments");
	shares = find_shares(&n);
	if (!shares) {
		report("ls: cannot read /proc/sysvipc: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (header)
		printf("%-10s %10s %8s %8s  %-8s %-6s %s\n", "KEY", "LENGTH", "VERSION",
		       "SEGMENTS", "OWNER", "FORMAT", "NAME");
	for (i = 0; i < n; i++)
		print_share(&shares[i]);
	free(shares);
	return EXIT_OK;
}

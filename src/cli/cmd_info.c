/*
 * cmd_info.c - sharelite info KEY: what share_stat() knows, one field a
 * line as "name: value", so that both people and scripts can read it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

#define NAME_BUF 32

static void field(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void field(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%-16s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_info(const struct share_info *in)
{
	char name[NAME_BUF], id[NAME_BUF];

	if (key_as_string(in->key, name))
		field("key:", "%u (0x%08x, \"%s\")", (unsigned)in->key, (unsigned)in->key, name);
	else
		field("key:", "%u (0x%08x)", (unsigned)in->key, (unsigned)in->key);
	field("length:", "%zu", in->length);
	field("version:", "%u", in->version);
	if (in->segments < 0)
		field("segments:", "unknown (a writer holds the lock)");
	else
		field("segments:", "%d", in->segments);
	field("segment size:", "%zu", in->segment_size);
	field("mode:", "%04o", (unsigned)in->mode);
	field("owner:", "%s", user_name(in->uid, id, sizeof(id)));
	field("group:", "%s", group_name(in->gid, id, sizeof(id)));
	field("creator:", "%s", user_name(in->cuid, id, sizeof(id)));
	/* The kernel counts this command's own attachment too. */
	field("attached:", "%lu", in->attached > 0 ? in->attached - 1 : 0);
	field("shmid:", "%d", in->shmid);
	field("semid:", "%d", in->semid);
	field("readers:", "%d", in->readers);
	field("writer:", "%s", in->writer ? "yes" : "no");
	if (in->writers_waiting < 0)
		field("writers waiting:", "not counted (a set made by Perl)");
	else
		field("writers waiting:", "%d", in->writers_waiting);
}

int cmd_info(int argc, char **argv)
{
	struct keyarg k;
	struct share_info in;
	share_t *share;
	int rc = options_none(argc, argv);

	if (rc < 0)
		rc = one_key(argc, argv, &k);
	if (rc >= 0)
		return rc;
	share = open_or_report(&k, "info");
	if (!share)
		return EXIT_RUNTIME;
	rc = share_stat(share, &in);
	if (rc < 0)
		report_key_error(&k, "info");
	share_close(share);
	if (rc < 0)
		return EXIT_RUNTIME;
	print_info(&in);
	return EXIT_OK;
}

/*
 * cmd_info.c - sharelite info KEY: what share_stat() knows, one field a
 * line as "name: value", so that both people and scripts can read it. A
 * share on a Redis server has fewer fields: those it has not say why.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define NAME_BUF 32
#define SEGMENTS_BUF 160

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

/*
 * share_stat() counts no segments while a writer holds the lock, and none
 * of a chain it cannot walk. Tell the two apart: when no writer showed,
 * count again, waiting for the lock if one came meanwhile.
 */
static void count_segments(share_t *share, const struct share_info *in, char *buf, size_t size)
{
	int n;

	if (in->segments >= 0) {
		snprintf(buf, size, "%d", in->segments);
		return;
	}
	if (in->writer) {
		snprintf(buf, size, "unknown (a writer holds the lock)");
		return;
	}
	n = share_num_segments(share);
	if (n >= 0)
		snprintf(buf, size, "%d", n);
	else
		snprintf(buf, size, "unknown (the chain is broken: %s; fetch and "
			 "store fail until sharelite rm removes the share)",
			 errno == EBADMSG ? "a segment links to one that is not the share's" :
			 strerror(errno));
}

static void print_info(const struct share_info *in, const char *segments)
{
	char name[NAME_BUF], id[NAME_BUF];

	if (key_as_string(in->key, name))
		field("key:", "%u (0x%08x, \"%s\")", (unsigned)in->key, (unsigned)in->key, name);
	else
		field("key:", "%u (0x%08x)", (unsigned)in->key, (unsigned)in->key);
	field("format:", "%s (%s)", format_name(in->format), format_meaning(in->format));
	field("length:", "%zu", in->length);
	field("version:", "%u", in->version);
	field("segments:", "%s", segments);
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
	if (in->writers_waiting < 0 && in->format == SHARE_FORMAT_NATIVE)
		field("writers waiting:", "not counted on a native share");
	else if (in->writers_waiting < 0)
		field("writers waiting:", "not counted (a set made by Perl)");
	else
		field("writers waiting:", "%d", in->writers_waiting);
}

/* A Redis share: what the server keeps, and what it has no record of. */
static void print_info_named(const struct keyarg *k, const struct share_info *in)
{
	field("name:", "%s", k->text);
	field("format:", "%s (%s)", format_name(in->format), format_meaning(in->format));
	field("length:", "%zu", in->length);
	field("version:", "%u", in->version);
	field("readers:", "%d (shared locks whose leases are live)", in->readers);
	field("writer:", "%s", in->writer ? "yes" : "no");
	field("writers waiting:", "not counted on a Redis server");
	field("owner:", "none on a Redis server (its passwords and ACLs say who may use it)");
	field("mode:", "none on a Redis server");
	field("attached:", "not counted on a Redis server");
}

int cmd_info(int argc, char **argv)
{
	struct keyarg k;
	struct share_info in;
	char segments[SEGMENTS_BUF];
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
	else if (!k.name)
		count_segments(share, &in, segments, sizeof(segments));
	share_close(share);
	if (rc < 0)
		return EXIT_RUNTIME;
	if (k.name)
		print_info_named(&k, &in);
	else
		print_info(&in, segments);
	return EXIT_OK;
}

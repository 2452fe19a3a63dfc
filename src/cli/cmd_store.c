/*
 * cmd_store.c - sharelite store [--size BYTES] [--mode OCTAL] [--native]
 * KEY [VALUE]
 *
 * The whole value is read before anything is created, and a share this
 * command created is removed again if the store fails: a failed store
 * leaves the system as it found it. The options say how to create a share;
 * an existing one is used as it is, as share_new() opens it whatever the
 * flags, so --native on a Perl-format share stores in that format. A Redis
 * share has no segments nor mode: --size is only recorded, --mode ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_MODE 0600
#define MAX_MODE 0777
/*
 * Every segment is one of the host's SHMMNI segment ids (4096 by default),
 * which all programs share: once they are gone, every shmget() on the host
 * fails. A store that takes more than 1/32 of them (128 of 4096, a value
 * over 8 MB in the default 64 KiB segments) gets a hint about --size, which
 * holds a value in one segment; smaller chains cost the host little.
 */
#define SEGMENTS_HINT_FRACTION 32

struct store_options {
	size_t segment_size;	/* 0: the library's default */
	mode_t mode;
	int flags;		/* SHARE_NATIVE, or 0 */
};

/* -1: go on at optind; else the exit code. */
static int parse_options(int argc, char **argv, struct store_options *o)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "native", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		TIMEOUT_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	unsigned long n;
	int c, rc = -1;

	o->segment_size = 0;
	o->mode = DEFAULT_MODE;
	o->flags = 0;
	while ((c = next_option(argc, argv, ":s:m:h", opts, &rc)) >= 0) {
		if (c == 's') {
			if (parse_ulong(optarg, 10, SHARELITE_HEADER_SIZE + 1,
					(unsigned long)SHARELITE_MAX_LENGTH + 1, &n) < 0)
				return usage_error(argv[0], "--size takes a number of bytes "
						   "from %d to %lu", SHARELITE_HEADER_SIZE + 1,
						   (unsigned long)SHARELITE_MAX_LENGTH + 1);
			o->segment_size = n;
		} else if (c == 'm') {
			if (parse_ulong(optarg, 8, 1, MAX_MODE, &n) < 0)
				return usage_error(argv[0], "--mode takes octal permission bits "
						   "from 1 to 777, like 0600");
			o->mode = (mode_t)n;
		} else if (c == 'n') {
			o->flags |= SHARE_NATIVE;
		}
	}
	return rc;
}

/* The value: the argument, or all of standard input. */
static ssize_t read_value(int argc, char **argv, const struct keyarg *k, char **value)
{
	ssize_t len;

	if (optind + 1 < argc) {
		*value = strdup(argv[optind + 1]);
		return *value ? (ssize_t)strlen(*value) : -1;
	}
	len = read_all(STDIN_FILENO, SHARELITE_MAX_LENGTH, value);
	if (len < 0) {
		if (errno == EFBIG)
			report("store: key %s: the value is larger than %d bytes",
			       k->text, SHARELITE_MAX_LENGTH);
		else
			report("store: key %s: cannot read standard input: %s",
			       k->text, strerror(errno));
	}
	return len;
}

/* The host's limit on segment ids, or 0 when the kernel does not say. */
static unsigned long host_segment_ids(void)
{
	FILE *f = fopen("/proc/sys/kernel/shmmni", "r");
	unsigned long ids = 0;

	if (f) {
		if (fscanf(f, "%lu", &ids) != 1)
			ids = 0;
		fclose(f);
	}
	return ids;
}

/* A hint on stderr when the share's chain takes many of the host's ids. */
static void hint_segments(const struct keyarg *k, share_t *share, size_t len, int created)
{
	unsigned long ids = host_segment_ids();
	int segments = share_num_segments(share);
	size_t fits = len > (size_t)SHARELITE_MAX_LENGTH + 1 - SHARELITE_HEADER_SIZE ?
		      (size_t)SHARELITE_MAX_LENGTH + 1 : len + SHARELITE_HEADER_SIZE;

	if (segments <= 1 || ids == 0 ||
	    (unsigned long)segments * SEGMENTS_HINT_FRACTION <= ids)
		return;
	report("store: key %s: the value takes %d of this host's %lu shared memory "
	       "segments (kernel.shmmni); %swith --size %zu, one holds it",
	       k->text, segments, ids, created ? "" : "removed and stored again ", fits);
}

static int store(const struct keyarg *k, const struct store_options *o,
		 const char *value, size_t len)
{
	int created, rc = EXIT_OK;
	int flags = o->flags | (k->native ? SHARE_NATIVE : 0);
	share_t *share = open_or_create(k, o->segment_size, o->mode, flags, &created);

	if (!share) {
		report_key_error(k, "store");
		return EXIT_RUNTIME;
	}
	if (share_store(share, value, len) < 0) {
		report_key_error(k, "store");
		if (created)
			share_remove(share);
		rc = EXIT_RUNTIME;
	} else {
		hint_segments(k, share, len, created);
	}
	if (share_close(share) < 0 && rc == EXIT_OK) {
		report_key_error(k, "store");
		rc = EXIT_RUNTIME;
	}
	return rc;
}

int cmd_store(int argc, char **argv)
{
	struct store_options o;
	struct keyarg k;
	char *value = NULL;
	ssize_t len;
	int rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return usage_error(argv[0], "missing KEY");
	if (argc - optind > 2)
		return usage_error(argv[0], "too many arguments: the value is one "
				   "argument (quote it) or standard input");
	if (keyarg_parse(argv[optind], &k) < 0)
		return EXIT_USAGE;
	if (k.name && (o.flags & SHARE_NATIVE))
		return usage_error(argv[0], "--native is a SysV memory format; a Redis "
				   "share has none");
	len = read_value(argc, argv, &k, &value);
	if (len < 0)
		return EXIT_RUNTIME;
	rc = store(&k, &o, value, (size_t)len);
	free(value);
	return rc;
}

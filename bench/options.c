/*
 * options.c - parse and check the command line; bad input gets one line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "sharelite.h"
#include "options.h"
#include "readers.h"

#define PROGRAM "sharelite-bench"
#define DEFAULT_SIZES "16,4K,64K,1M,16M"
#define DEFAULT_READERS "1,2,4"
#define DEFAULT_SECONDS 0.15
#define DEFAULT_REPS 5
/* --quick: a smoke run of a few seconds, every row still printed. */
#define QUICK_SECONDS 0.01
#define QUICK_REPS 3
#define MAX_SECONDS 60.0

static const char usage[] =
	"usage: " PROGRAM " [--quick] [--sizes LIST] [--readers LIST] [--reps N] [--time SECONDS]\n"
	"  --quick          a smoke run of a few seconds: 3 repetitions of 0.01 s\n"
	"  --sizes LIST     value sizes, e.g. " DEFAULT_SIZES " (the default; K, M, G are KiB, MiB, GiB)\n"
	"  --readers LIST   reader processes beside one writer (default " DEFAULT_READERS ")\n"
	"  --reps N         repetitions of each measurement, the median printed (default 5)\n"
	"  --time SECONDS   length of each repetition (default 0.15)\n"
	"  --redis URL      also measure a share NAME on that Redis server, against\n"
	"                   bare hiredis commands (NAME and NAME's floor key must not exist)\n";

static int bad(const char *option, const char *want, const char *got)
{
	fprintf(stderr, PROGRAM ": %s wants %s, not '%s' (see --help)\n", option, want, got);
	return -1;
}

/* A size like 16, 4K, 4KiB, 1M, 1MiB or 100B, up to the format's limit. */
static int parse_size(const char *s, void *slot)
{
	size_t *size = slot;
	static const struct { const char *suffix; unsigned long long unit; } units[] = {
		{ "", 1 }, { "B", 1 }, { "K", 1ull << 10 }, { "KiB", 1ull << 10 },
		{ "M", 1ull << 20 }, { "MiB", 1ull << 20 }, { "G", 1ull << 30 }, { "GiB", 1ull << 30 },
	};
	unsigned long long n;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			if (n == 0 || n > SHARELITE_MAX_LENGTH / units[i].unit)
				return -1;
			*size = (size_t)(n * units[i].unit);
			return 0;
		}
	}
	return -1;
}

static int parse_count(const char *s, long max, long *count)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*count = strtol(s, &end, 10);
	return *end || errno || *count < 1 || *count > max ? -1 : 0;
}

/* A comma-separated list of at most OPTIONS_MAX_LIST items, each parsed
 * by `one` into the next slot of `array`. */
static int parse_list(const char *list, int (*one)(const char *, void *),
		      void *array, size_t slot_size, int *n)
{
	char copy[256], *item, *save;
	int count = 0;

	if (strlen(list) >= sizeof(copy))
		return -1;
	strcpy(copy, list);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (count == OPTIONS_MAX_LIST ||
		    one(item, (char *)array + (size_t)count * slot_size) < 0)
			return -1;
		count++;
	}
	if (count == 0)
		return -1;
	*n = count;
	return 0;
}

static int parse_reader_count(const char *s, void *slot)
{
	long n;

	if (parse_count(s, READERS_MAX, &n) < 0)
		return -1;
	*(int *)slot = (int)n;
	return 0;
}

static int parse_sizes(const char *list, struct bench_options *o)
{
	if (parse_list(list, parse_size, o->sizes, sizeof(o->sizes[0]), &o->nsizes) < 0)
		return bad("--sizes", "sizes from 1 to 2G-1 like " DEFAULT_SIZES, list);
	return 0;
}

static int parse_readers(const char *list, struct bench_options *o)
{
	if (parse_list(list, parse_reader_count, o->readers, sizeof(o->readers[0]),
		       &o->nreaders) < 0)
		return bad("--readers", "reader counts from 1 to 64 like " DEFAULT_READERS, list);
	return 0;
}

static int parse_seconds(const char *s, double *seconds)
{
	char *end;

	errno = 0;
	*seconds = strtod(s, &end);
	if (end == s || *end || errno || !(*seconds >= 0.001 && *seconds <= MAX_SECONDS))
		return bad("--time", "seconds from 0.001 to 60", s);
	return 0;
}

int options_parse(int argc, char **argv, struct bench_options *o)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "sizes", required_argument, NULL, 's' },
		{ "readers", required_argument, NULL, 'r' },
		{ "reps", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "redis", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double seconds = 0;
	long reps = 0;
	int quick = 0, c;

	memset(o, 0, sizeof(*o));
	parse_sizes(DEFAULT_SIZES, o);
	parse_readers(DEFAULT_READERS, o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick = 1;
			break;
		case 's':
			if (parse_sizes(optarg, o) < 0)
				return -1;
			break;
		case 'r':
			if (parse_readers(optarg, o) < 0)
				return -1;
			break;
		case 'n':
			if (parse_count(optarg, BENCH_MAX_REPS, &reps) < 0)
				return bad("--reps", "a count from 1 to 1000", optarg);
			break;
		case 't':
			if (parse_seconds(optarg, &seconds) < 0)
				return -1;
			break;
		case 'R':
			if (strncmp(optarg, "redis://", 8) != 0 && strncmp(optarg, "rediss://", 9) != 0)
				return bad("--redis", "a name like redis://127.0.0.1:6379/bench", optarg);
			o->redis_url = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case ':':
			fprintf(stderr, PROGRAM ": %s wants a value (see --help)\n",
				argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, PROGRAM ": unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROGRAM ": unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	o->timing.reps = reps ? (int)reps : quick ? QUICK_REPS : DEFAULT_REPS;
	o->timing.seconds = seconds ? seconds : quick ? QUICK_SECONDS : DEFAULT_SECONDS;
	return 0;
}

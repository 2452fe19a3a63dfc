/*
 * address.c - a redis:// name taken apart:
 * redis://[user:password@]host[:port][/db]/NAME[?lease=MS&timeout=MS].
 * rediss:// is the same with TLS, which the format refuses for now.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

#define MAX_NAME_LENGTH 256
/* Long enough for any real lease or timeout, short enough that server
 * milliseconds plus it stay exact in Lua's doubles. */
#define MAX_OPTION_MS 86400000L

/* A decimal number in [min, max], all of text. */
static int parse_number(const char *text, long min, long max, long *n)
{
	char *end;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	*n = strtol(text, &end, 10);
	if (errno || *end || *n < min || *n > max)
		return -1;
	return 0;
}

/* A share's name becomes part of the keys, inside a {NAME} hash tag: it
 * may not hold braces, nor spaces or controls that a reader of the
 * keyspace would not see. */
static int valid_name(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > MAX_NAME_LENGTH)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || c == '{' || c == '}')
			return 0;
	}
	return 1;
}

/* "lease=MS&timeout=MS", either, in any order, each at most once. */
static int parse_options(char *query, struct sl_redis_address *a)
{
	int seen_lease = 0, seen_timeout = 0;
	char *opt, *save = NULL;

	for (opt = strtok_r(query, "&", &save); opt; opt = strtok_r(NULL, "&", &save)) {
		long ms;

		if (strncmp(opt, "lease=", 6) == 0 && !seen_lease &&
		    parse_number(opt + 6, 1, MAX_OPTION_MS, &ms) == 0) {
			a->lease_ms = (int)ms;
			seen_lease = 1;
		} else if (strncmp(opt, "timeout=", 8) == 0 && !seen_timeout &&
			   parse_number(opt + 8, 1, MAX_OPTION_MS, &ms) == 0) {
			a->timeout_ms = (int)ms;
			seen_timeout = 1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* [user:password@]host[:port], in place. */
static int parse_authority(char *auth, struct sl_redis_address *a)
{
	char *at = strrchr(auth, '@'), *host = auth, *port = NULL;
	long n;

	if (at) {
		char *colon = strchr(auth, ':');

		*at = '\0';
		host = at + 1;
		if (!colon || colon > at)
			return -1;	/* a user with no password */
		*colon = '\0';
		a->user = *auth ? auth : NULL;
		a->password = colon + 1;
	}
	if (*host == '[') {		/* [IPv6 address] */
		char *close = strchr(host, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -1;
		*close = '\0';
		host++;
		if (close[1] == ':')
			port = close + 2;
	} else if ((port = strchr(host, ':')) != NULL) {
		*port++ = '\0';
	}
	if (!*host)
		return -1;
	a->host = host;
	if (port) {
		if (parse_number(port, 1, 65535, &n) < 0)
			return -1;
		a->port = (int)n;
	}
	return 0;
}

static int parse(char *url, struct sl_redis_address *a)
{
	char *auth, *path, *query, *slash;
	long n;

	if (strncmp(url, "redis://", 8) == 0) {
		auth = url + 8;
	} else if (strncmp(url, "rediss://", 9) == 0) {
		auth = url + 9;
		a->tls = 1;
	} else {
		return -1;
	}
	path = strchr(auth, '/');
	if (!path)
		return -1;	/* no name */
	*path++ = '\0';
	query = strchr(path, '?');
	if (query) {
		*query++ = '\0';
		if (parse_options(query, a) < 0)
			return -1;
	}
	if (parse_authority(auth, a) < 0)
		return -1;
	/* db/NAME when the first of two segments is all digits, else NAME. */
	slash = strchr(path, '/');
	if (slash && strspn(path, "0123456789") == (size_t)(slash - path)) {
		*slash = '\0';
		if (parse_number(path, 0, INT_MAX, &n) < 0)
			return -1;
		a->db = (int)n;
		path = slash + 1;
	}
	if (!valid_name(path))
		return -1;
	a->name = path;
	return 0;
}

int sl_redis_address_parse(const char *url, struct sl_redis_address *address)
{
	struct sl_redis_address a = {
		.port = SL_REDIS_DEFAULT_PORT,
		.db = -1,
		.lease_ms = SL_REDIS_DEFAULT_LEASE_MS,
		.timeout_ms = SL_REDIS_DEFAULT_TIMEOUT_MS,
	};

	a.buf = strdup(url);
	if (!a.buf)
		return -1;
	if (parse(a.buf, &a) < 0) {
		free(a.buf);
		errno = EINVAL;
		return -1;
	}
	*address = a;
	return 0;
}

void sl_redis_address_free(struct sl_redis_address *address)
{
	free(address->buf);
	address->buf = NULL;
}

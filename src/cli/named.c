/*
 * named.c - what the command says about a share on a Redis server, which
 * has a name rather than a key and fails in ways of the network. The name
 * may hold a password: messages show it as "***".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Where the host part starts: after "scheme://". */
static const char *after_scheme(const char *name)
{
	const char *p = strstr(name, "://");

	return p ? p + 3 : name;
}

const char *name_for_people(const char *name, char *buf, size_t size)
{
	const char *auth = after_scheme(name);
	size_t host_len = strcspn(auth, "/");
	const char *at = memchr(auth, '@', host_len);
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;

	if (!colon)
		return name;
	snprintf(buf, size, "%.*s:***%s", (int)(colon - name), name, at);
	return buf;
}

/* "host:port" of the name, without the user and password. */
static const char *server_of(const char *name, char *buf, size_t size)
{
	const char *auth = after_scheme(name);
	size_t host_len = strcspn(auth, "/");
	const char *at = memchr(auth, '@', host_len);

	if (at) {
		host_len -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	snprintf(buf, size, "%.*s", (int)host_len, auth);
	return buf;
}

const char *explain_named(const char *name, int err, char *buf, size_t size)
{
	char server[128];

	switch (err) {
	case EPROTONOSUPPORT:
		if (!strncmp(name, "rediss:", 7))
			return "TLS (rediss://) is not supported";
		return "this sharelite was built without Redis (hiredis)";
	case EINVAL:
		return "not a name share_open(3) takes: redis://[user:password@]host"
		       "[:port][/db]/NAME[?lease=MS&timeout=MS]";
	case ECONNREFUSED:
		snprintf(buf, size, "cannot connect to %s: connection refused",
			 server_of(name, server, sizeof(server)));
		return buf;
	case EHOSTUNREACH:
		snprintf(buf, size, "cannot connect to %s: host unreachable",
			 server_of(name, server, sizeof(server)));
		return buf;
	case ETIMEDOUT:
		return "timed out: the server did not answer in time, or another "
		       "process held the share's lock for longer than --timeout";
	case EIO:
		snprintf(buf, size, "the connection to %s failed, or the server answered "
			 "with an error", server_of(name, server, sizeof(server)));
		return buf;
	case EACCES:
		return "the server refused the password, or its ACLs refused a command";
	case EPROTO:
		return "the server's keys under this name hold something that is not a share";
	case ENOENT:
		return "no such share";
	case EIDRM:
		return "the share was removed meanwhile";
	case ENOLCK:
		return "the lock's lease lapsed before the store reached the server";
	case EFBIG:
		return "the value is longer than a Redis share holds (512 MiB)";
	}
	return strerror(err);
}

/*
 * open.c - share_open(): a share named by a string that also says where it
 * lives, so that one line of a configuration file picks the backend:
 * "sysv:KEY" and "sysv+native:KEY" for SysV shared memory on this machine,
 * "redis://..." for a share on a Redis server.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "internal.h"
#include "format.h"

#define SYSV_PREFIX "sysv:"
#define SYSV_NATIVE_PREFIX "sysv+native:"
/* The characters of a URL scheme (RFC 3986), before its ':'. */
#define SCHEME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static share_t *open_sysv(const char *text, size_t segment_size, int flags)
{
	key_t key;

	if (share_key_parse(text, &key) < 0)
		return NULL;
	return share_new_timeout(key, segment_size, flags, -1);
}

static share_t *open_redis(const char *name, size_t segment_size, int flags)
{
	/* A Redis share has no memory format to choose. */
	if (flags & SHARE_NATIVE) {
		errno = EINVAL;
		return NULL;
	}
#ifdef HAVE_REDIS
	return sl_handle_new_named(&sl_format_redis, name,
				   segment_size ? segment_size : SHARELITE_DEFAULT_SEGMENT_SIZE,
				   flags, -1);
#else
	(void)name;
	(void)segment_size;
	errno = EPROTONOSUPPORT;
	return NULL;
#endif
}

SHARELITE_EXPORT share_t *share_open(const char *name, size_t segment_size, int flags)
{
	size_t scheme;

	if (!name || !sl_open_args_valid(segment_size, flags, -1)) {
		errno = EINVAL;
		return NULL;
	}
	if (has_prefix(name, SYSV_PREFIX))
		return open_sysv(name + strlen(SYSV_PREFIX), segment_size, flags);
	if (has_prefix(name, SYSV_NATIVE_PREFIX))
		return open_sysv(name + strlen(SYSV_NATIVE_PREFIX), segment_size,
				 flags | SHARE_NATIVE);
	if (has_prefix(name, "redis:") || has_prefix(name, "rediss:"))
		return open_redis(name, segment_size, flags);
	/* A scheme this library does not know, or no scheme at all. */
	scheme = strspn(name, SCHEME_CHARS);
	errno = scheme > 0 && name[scheme] == ':' ? EPROTONOSUPPORT : EINVAL;
	return NULL;
}

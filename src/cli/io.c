/*
 * io.c - reading and writing whole values through file descriptors, and
 * the names of users and groups.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

#define READ_CHUNK 65536

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Grow *buf to hold at least need bytes, doubling to keep reads linear. */
static int grow(char **buf, size_t *capacity, size_t need)
{
	size_t cap = *capacity ? *capacity : READ_CHUNK;
	char *p;

	while (cap < need)
		cap *= 2;
	if (cap == *capacity)
		return 0;
	p = realloc(*buf, cap);
	if (!p)
		return -1;
	*buf = p;
	*capacity = cap;
	return 0;
}

ssize_t read_all(int fd, size_t limit, char **out)
{
	char *buf = NULL;
	size_t len = 0, capacity = 0;

	for (;;) {
		ssize_t n;

		if (grow(&buf, &capacity, len + READ_CHUNK) < 0)
			goto fail;
		n = read(fd, buf + len, capacity - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > limit) {
			errno = EFBIG;
			goto fail;
		}
	}
	*out = buf;
	return (ssize_t)len;
fail:
	free(buf);
	return -1;
}

const char *user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, size, "%lu", (unsigned long)uid);
	return buf;
}

const char *group_name(gid_t gid, char *buf, size_t size)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		return gr->gr_name;
	snprintf(buf, size, "%lu", (unsigned long)gid);
	return buf;
}

/*
 * cluster.c - reading the replies by which a node of a Redis Cluster sends
 * a command elsewhere. A share's keys and channels share one hash slot
 * (the {NAME} tag), so a client needs no map of the slots: it sends to the
 * node it knows and follows what that node answers (conn.c):
 *
 *   -MOVED slot host:port    the slot is that node's: go there for good
 *   -ASK slot host:port      being migrated there: ASKING, then this
 *                            command alone on that node
 *   -TRYAGAIN ...            the keys are split by a migration: again soon
 */
#include <stdlib.h>
#include <string.h>

#include "redis.h"

/* "host:port" (host may be empty: the node that answered) into to. */
static int parse_node(const char *s, struct sl_redis_node *to)
{
	const char *colon = strrchr(s, ':');
	size_t host_len;
	char *end;
	long port;

	if (!colon)
		return -1;
	host_len = (size_t)(colon - s);
	if (host_len >= sizeof(to->host))
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port < 1 || port > 65535)
		return -1;
	memcpy(to->host, s, host_len);
	to->host[host_len] = '\0';
	/* "?" is how a node says it does not know the other's address. */
	if (strcmp(to->host, "?") == 0)
		to->host[0] = '\0';
	to->port = (int)port;
	return 0;
}

enum sl_redis_redirect sl_redis_redirection(const char *error, struct sl_redis_node *to)
{
	enum sl_redis_redirect kind;
	const char *p;

	if (strncmp(error, "MOVED ", 6) == 0)
		kind = SL_REDIRECT_MOVED;
	else if (strncmp(error, "ASK ", 4) == 0)
		kind = SL_REDIRECT_ASK;
	else if (strncmp(error, "TRYAGAIN", 8) == 0)
		return SL_REDIRECT_TRYAGAIN;
	else
		return SL_REDIRECT_NONE;
	/* The slot, then the node: "MOVED 3999 127.0.0.1:6381". */
	p = strchr(error, ' ');
	p = p ? strchr(p + 1, ' ') : NULL;
	if (!p || parse_node(p + 1, to) < 0)
		return SL_REDIRECT_NONE;	/* not understood: an error like any */
	return kind;
}

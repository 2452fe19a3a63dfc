/*
 * redis_none.c - the Redis table where configure found no hiredis, or was
 * told --without-redis: none, and the report says so.
 */
#include "redis_table.h"
#include "report.h"

int bench_redis(const struct bench_options *o, const char **step)
{
	(void)step;
	report_redis_header(o->redis_url ? "not built in (configure found no hiredis, "
			    "or --without-redis)" : "not asked for (--redis URL)", NULL);
	return 0;
}

/*
 * pin.c - pin the benchmark to one CPU while it measures one process, and
 * let it go before the readers, which fork() and must spread out.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "pin.h"

static cpu_set_t before;
static int pinned;

int pin_here(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(before), &before) < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		return -1;
	pinned = 1;
	return cpu;
}

void unpin(void)
{
	if (pinned && sched_setaffinity(0, sizeof(before), &before) == 0)
		pinned = 0;
}

/*
 * number.c - numbers on the command line: all digits, in range, or an error.
 * strtoul alone would take " 12", "-1" (as a huge number) and "12abc".
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "cli.h"

int parse_ulong(const char *text, int base, unsigned long min, unsigned long max,
		unsigned long *out)
{
	char *end;
	unsigned long value;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	value = strtoul(text, &end, base);
	if (errno || *end || value < min || value > max)
		return -1;
	*out = value;
	return 0;
}

/*
 * format_name.c - the names the command gives the memory formats: one word
 * a script can match, and a few words that tell a person what it means.
 */
#include "cli.h"

const char *format_name(long format)
{
	switch (format) {
	case SHARE_FORMAT_PERL:
		return "perl";
	case SHARE_FORMAT_NATIVE:
		return "native";
	case SHARE_FORMAT_REDIS:
		return "redis";
	}
	return "unknown";	/* a library newer than this command */
}

const char *format_meaning(long format)
{
	switch (format) {
	case SHARE_FORMAT_PERL:
		return "IPC::ShareLite's format: Perl programs can open it too";
	case SHARE_FORMAT_NATIVE:
		return "libsharelite's own format: Perl's IPC::ShareLite cannot open it";
	case SHARE_FORMAT_REDIS:
		return "kept on a Redis server: processes on other hosts can open it";
	}
	return "a format this command does not know";
}

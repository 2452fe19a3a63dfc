/*
 * usage.c - what sharelite says about itself: --help, --version, and the
 * one-line complaint about a wrong command line.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli.h"

static const char help_text[] =
	"Usage: sharelite COMMAND [OPTION]... [ARGUMENT]...\n"
	"Show and change shares: byte strings in SysV shared memory, in the format\n"
	"of Perl's IPC::ShareLite or in libsharelite's native one, or on a Redis\n"
	"server.\n"
	"\n"
	"Commands:\n"
	"  store [--size BYTES] [--mode OCTAL] [--native] KEY [VALUE]\n"
	"                      store VALUE, or standard input, creating the share\n"
	"  fetch [--json] KEY  write the value to standard output\n"
	"  info KEY            show a share's format, length, version, owner, locks\n"
	"  rm KEY...           remove shares: every segment and the semaphore set\n"
	"  ls [--no-header]    list the SysV shares on this system\n"
	"  watch [--count N] KEY\n"
	"                      print the value, then again each time it changes\n"
	"  bench [ARG]...      run sharelite-bench\n"
	"\n"
	"Options:\n"
	"  --size BYTES        segment size of a new share (default 65536)\n"
	"  --mode OCTAL        permissions of a new share (default 0600)\n"
	"  --native            create a new share in the native format, which\n"
	"                      Perl's IPC::ShareLite cannot open\n"
	"  --json, --pretty    pretty-print a value that is JSON\n"
	"  --count N           stop watching after N changes\n"
	"  --no-header         leave out ls's column names\n"
	"  --timeout MS        wait at most MS milliseconds for a share's lock\n"
	"                      (every command but bench; default: no limit)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n";

static const char exit_status[] =
	"\n"
	"Exit status: 0 on success, 1 when the command failed, 2 for a wrong\n"
	"command line. See sharelite(1).\n";

/* Each command's --help: its usage, what it does, its own options. */
static const struct {
	const char *name;
	const char *usage;
	const char *options;
} command_help[] = {
	{ "store",
	  "Usage: sharelite store [--size BYTES] [--mode OCTAL] [--native] [--timeout MS]\n"
	  "                       KEY [VALUE]\n"
	  "Store VALUE, or all of standard input, in the share KEY, creating it\n"
	  "if it does not exist. --size, --mode and --native apply only to a share\n"
	  "that store creates: an existing one keeps its own, format included.\n",
	  "  --size BYTES      segment size of a new share (default 65536)\n"
	  "  --mode OCTAL      permissions of a new share (default 0600); using a\n"
	  "                    share takes read and write: 0666 is for every user\n"
	  "  --native          create the share in the native format: fetches take\n"
	  "                    no lock, but Perl's IPC::ShareLite cannot open it\n"
	  "  --timeout MS      wait at most MS milliseconds for a share's lock\n" },
	{ "fetch",
	  "Usage: sharelite fetch [--json] [--timeout MS] KEY\n"
	  "Write the value of the share KEY to standard output, byte for byte (on\n"
	  "a terminal, ending its line).\n",
	  "  --json, --pretty  pretty-print a value that is JSON\n"
	  "  --timeout MS      wait at most MS milliseconds for a share's lock\n" },
	{ "info",
	  "Usage: sharelite info [--timeout MS] KEY\n"
	  "Show the share KEY: format, length, version, segments, mode, owner, locks,\n"
	  "ids.\n",
	  "  --timeout MS      wait at most MS milliseconds for a share's lock\n" },
	{ "rm",
	  "Usage: sharelite rm [--timeout MS] KEY...\n"
	  "Remove each share: every segment of its chain and its semaphore set.\n",
	  "  --timeout MS      wait at most MS milliseconds for a share's lock\n" },
	{ "ls",
	  "Usage: sharelite ls [--no-header] [--timeout MS]\n"
	  "List the shares on this system, Perl's too, with the format of each.\n",
	  "  --no-header       leave out the column names\n"
	  "  --timeout MS      wait at most MS milliseconds for a share's lock\n" },
	{ "watch",
	  "Usage: sharelite watch [--count N] [--timeout MS] KEY\n"
	  "Print the value of the share KEY, then again each time it changes,\n"
	  "until interrupted.\n",
	  "  --count N         stop after N changes\n"
	  "  --timeout MS      wait at most MS milliseconds for a share's lock\n" },
};

static const char key_note[] =
	"KEY is a number (decimal, or hexadecimal after 0x) or a string of 1 to 4\n"
	"bytes, as IPC::ShareLite reads it; or a name as share_open(3) takes it:\n"
	"sysv:KEY, sysv+native:KEY (store creates it native), or\n"
	"redis://[user:password@]host[:port][/db]/NAME for a share on a Redis server.\n";

void print_help(FILE *out)
{
	fputs(help_text, out);
	fputs(key_note, out);
	fputs(exit_status, out);
}

void print_command_help(const char *cmd, FILE *out)
{
	size_t i;

	for (i = 0; i < sizeof(command_help) / sizeof(command_help[0]); i++) {
		if (strcmp(cmd, command_help[i].name) != 0)
			continue;
		fprintf(out, "%s\n%s  -h, --help        show this help and exit\n\n",
			command_help[i].usage, command_help[i].options);
		if (strstr(command_help[i].usage, "KEY"))
			fputs(key_note, out);
		fputs("See sharelite(1).\n", out);
		return;
	}
	print_help(out);
}

void print_version(FILE *out)
{
	const char *json = json_library();

	fprintf(out, "sharelite (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	fprintf(out, "library: libsharelite %s\n", sharelite_version());
	fprintf(out, "json: %s\n", json ? json : "none (built without jansson)");
#ifdef HAVE_REDIS
	fprintf(out, "redis: hiredis\n");
#else
	fprintf(out, "redis: none (built without hiredis)\n");
#endif
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("sharelite: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see sharelite --help)\n", stderr);
	return EXIT_USAGE;
}

int option_error(const char *cmd, char **argv, int c)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", arg);
	if (optopt && arg[0] == '-' && arg[1] != '-')
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", arg);
}

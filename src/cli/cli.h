/*
 * cli.h - what the files of the sharelite command share: exit codes, the
 * subcommands, and the helpers for keys, messages, opening and output.
 */
#ifndef SHARELITE_CLI_H
#define SHARELITE_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "sharelite.h"

/* Exit codes, as sharelite(1) documents them. */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,	/* the system said no: no share, permission, ... */
	EXIT_USAGE = 2,		/* the command line was wrong */
};

/* Semaphores in a share's set: three as Perl makes it, four as
 * libsharelite does (sharelite(7), "Fairness"), two in a native share's
 * (sharelite(7), "Native format"). */
#define SHARE_NSEMS_PERL 3
#define SHARE_NSEMS_OURS 4
#define SHARE_NSEMS_NATIVE 2
#define SHARE_NSEMS_OK(n) \
	((n) == SHARE_NSEMS_PERL || (n) == SHARE_NSEMS_OURS || (n) == SHARE_NSEMS_NATIVE)

/* One subcommand: argv[0] is its name, options follow. */
int cmd_store(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* usage.c */
void print_help(FILE *out);
/* A command's own --help; the general help for a name it does not know. */
void print_command_help(const char *cmd, FILE *out);
void print_version(FILE *out);
/* "sharelite: CMD: message (see sharelite --help)"; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reports getopt's '?' or ':' for argv; returns EXIT_USAGE. */
int option_error(const char *cmd, char **argv, int c);

/*
 * keyarg.c: a KEY argument as the user typed it and as the kernel sees it,
 * or a name share_open(3) takes: "sysv:KEY" and "sysv+native:KEY" are
 * keys, "redis://..." a share on a server, which has a name and no key.
 */
#define KEYARG_SHOWN 512
struct keyarg {
	const char *text;	/* as messages show it: a password as "***" */
	key_t key;		/* IPC_PRIVATE for a Redis share */
	const char *name;	/* the redis:// name, or NULL for a SysV key */
	int native;		/* written as sysv+native:KEY */
	char shown[KEYARG_SHOWN];	/* text, when its password is hidden */
};
/* Parse text by the command's rule; on error print why and return -1. */
int keyarg_parse(const char *text, struct keyarg *k);
/* Whether text is written as 0x and hexadecimal digits would be. */
int key_typed_in_hex(const char *text);
/* The key's bytes as IPC::ShareLite's string key, if it is one: buf[5]. */
int key_as_string(key_t key, char *buf);

/* options.c */
struct option;
#define OPTIONS_EXIT (-2)
/* --timeout MS, for the longopts of every command that opens a share. */
#define OPTION_TIMEOUT 0x100
#define TIMEOUT_OPTION { "timeout", required_argument, NULL, OPTION_TIMEOUT }
/*
 * getopt_long, with --help ('h'), --timeout (for open.c) and mistakes
 * handled: the next option, -1 at the end, or OPTIONS_EXIT with *rc the
 * exit code. shortopts starts with ':' and has 'h'.
 */
int next_option(int argc, char **argv, const char *shortopts,
		const struct option *longopts, int *rc);
/* Parse a command that takes no option of its own, only --help and
 * --timeout: -1 to go on from optind, else the exit code. */
int options_none(int argc, char **argv);
/* The one KEY operand at optind: -1 when *k holds it, else the exit code. */
int one_key(int argc, char **argv, struct keyarg *k);

/* named.c: a Redis share's name as messages show it, the password hidden. */
const char *name_for_people(const char *name, char *buf, size_t size);
/* Why a call on the Redis share name failed with err, in a few words. */
const char *explain_named(const char *name, int err, char *buf, size_t size);

/* report.c: one-line messages on stderr. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Explain errno for an operation on k, telling a foreign object from none. */
void report_key_error(const struct keyarg *k, const char *what);

/* permission.c: for EACCES or EPERM on key, which object refused this user
 * and whose it is, in buf; NULL if that cannot be told. */
const char *permission_reason(key_t key, int err, char *buf, size_t size);

/* open.c: every handle opened waits at most timeout_ms for the lock (-1:
 * no limit), both to open and in later calls. */
extern int open_timeout_ms;
share_t *open_existing(const struct keyarg *k);
/* open_existing(), saying why it failed for the command cmd. */
share_t *open_or_report(const struct keyarg *k, const char *cmd);
/* Open k, or create it with share_new()'s extra flags (SHARE_NATIVE);
 * *created says which. An existing share is opened as it is, in whichever
 * format. errno as share_new(). */
share_t *open_or_create(const struct keyarg *k, size_t segment_size, mode_t mode,
			int flags, int *created);

/* format_name.c: struct share_info's format as a word for people and
 * scripts, "perl", "native" or "redis"; what it means, in a few words. */
const char *format_name(long format);
const char *format_meaning(long format);

/* io.c */
int write_all(int fd, const void *buf, size_t len);
/* Read fd to its end into a malloc'd buffer; -1 with errno on error. */
ssize_t read_all(int fd, size_t limit, char **out);
/* Print a user id as its name, or the number if it has none. */
const char *user_name(uid_t uid, char *buf, size_t size);
const char *group_name(gid_t gid, char *buf, size_t size);

/* json_*.c: pretty-print a JSON value to out; -1 with a message if not. */
int json_pretty_print(const struct keyarg *k, const char *data, size_t len, FILE *out);
/* "jansson 2.14", or NULL when built without it. */
const char *json_library(void);

/* number.c: -1 unless all of text is a number in base, within [min, max]. */
int parse_ulong(const char *text, int base, unsigned long min, unsigned long max,
		unsigned long *out);

#endif /* SHARELITE_CLI_H */

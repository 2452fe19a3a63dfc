/*
 * json_jansson.c - --json: jansson parses the value and prints it indented.
 * Debian's jansson is well kept and already a dependency of
 * libsharelite-json, so the command parses nothing by hand.
 */
#include <jansson.h>
#include <stdio.h>

#include "cli.h"

#define INDENT 2

/* jansson quotes the bad token, which may hold any byte: keep one line. */
static void printable(char *text)
{
	for (; *text; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			*text = '?';
}

int json_pretty_print(const struct keyarg *k, const char *data, size_t len, FILE *out)
{
	json_error_t error;
	json_t *root = json_loadb(data, len, JSON_DECODE_ANY, &error);
	int rc;

	if (!root) {
		printable(error.text);
		report("fetch: key %s: the value is not JSON: %s (at byte %zu)",
		       k->text, error.text, (size_t)error.position);
		return -1;
	}
	rc = json_dumpf(root, out, JSON_INDENT(INDENT) | JSON_ENCODE_ANY);
	json_decref(root);
	if (rc < 0 || fputc('\n', out) == EOF) {
		report("fetch: cannot write to standard output");
		return -1;
	}
	return 0;
}

const char *json_library(void)
{
	return "jansson " JANSSON_VERSION;
}

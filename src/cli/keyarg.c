/*
 * keyarg.c - the KEY argument. IPC::ShareLite's rule (a number, or a string
 * of one to four bytes) plus the command's own: 0x and hex digits is a number,
 * even where it would also be a four-byte string like "0x12".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HEX_DIGITS_MAX 8

static int parse_hex(const char *digits, key_t *key, const char **why)
{
	size_t n = strspn(digits, "0123456789abcdefABCDEF");

	if (n == 0 || digits[n] != '\0') {
		*why = "not a hexadecimal number";
		return -1;
	}
	if (n > HEX_DIGITS_MAX) {
		*why = "a key has at most 8 hexadecimal digits";
		return -1;
	}
	*key = (key_t)(uint32_t)strtoul(digits, NULL, 16);
	return 0;
}

/* The rule, without a word to the user: *why says what is wrong. */
static int key_parse(const char *text, key_t *key, const char **why)
{
	if ((text[0] == '0') && (text[1] == 'x' || text[1] == 'X')) {
		if (parse_hex(text + 2, key, why) < 0)
			return -1;
	} else if (share_key_from_string(text, key) < 0) {
		if (errno == ERANGE)
			*why = "a number key is at most 4294967295";
		else if (!*text)
			*why = "a key cannot be empty";
		else
			*why = "a string key has 1 to 4 bytes";
		return -1;
	}
	if (*key == IPC_PRIVATE) {
		*why = "key 0 is IPC_PRIVATE, which no share can be found by";
		return -1;
	}
	return 0;
}

int keyarg_parse(const char *text, struct keyarg *k)
{
	const char *why = NULL;

	k->text = text;
	if (key_parse(text, &k->key, &why) < 0) {
		report("bad key '%s': %s", text, why);
		return -1;
	}
	return 0;
}

int key_as_string(key_t key, char *buf)
{
	int32_t raw = (int32_t)key;
	key_t again;
	const char *why;
	size_t len = sizeof(raw), i;

	memcpy(buf, &raw, sizeof(raw));
	while (len > 0 && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
	for (i = 0; i < len; i++)
		if (buf[i] < 0x21 || buf[i] > 0x7e)
			return 0;
	/* "1234" or "0x12" would be read as a number: not this key's name. */
	return len > 0 && key_parse(buf, &again, &why) == 0 && again == key;
}

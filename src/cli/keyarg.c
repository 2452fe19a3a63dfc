/*
 * keyarg.c - the KEY argument, read by share_key_parse(): IPC::ShareLite's
 * rule (a number, or a string of one to four bytes) after the command's own,
 * 0x and hex digits is a number, even where it would also be a four-byte
 * string like "0x12". Key 0, IPC_PRIVATE, names no share and is refused.
 * The names share_open(3) takes work too: "sysv:KEY", "sysv+native:KEY",
 * and "redis://...", which share_open() itself checks when it opens.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"

int key_typed_in_hex(const char *text)
{
	return text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

/* Why share_key_parse() refused text with err. */
static const char *why_bad(const char *text, int err)
{
	if (err == ERANGE)
		return "a number key is at most 4294967295 (0xffffffff)";
	if (!*text)
		return "a key cannot be empty";
	if (key_typed_in_hex(text))
		return "not a hexadecimal number";
	return "a string key has 1 to 4 bytes";
}

#define SYSV_PREFIX "sysv:"
#define SYSV_NATIVE_PREFIX "sysv+native:"

static int has_prefix(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

int keyarg_parse(const char *text, struct keyarg *k)
{
	const char *key_text = text;

	k->text = text;
	k->key = IPC_PRIVATE;
	k->name = NULL;
	k->native = 0;
	if (has_prefix(text, "redis:") || has_prefix(text, "rediss:")) {
		k->name = text;
		k->text = name_for_people(text, k->shown, sizeof(k->shown));
		return 0;
	}
	if (has_prefix(text, SYSV_PREFIX)) {
		key_text += strlen(SYSV_PREFIX);
	} else if (has_prefix(text, SYSV_NATIVE_PREFIX)) {
		key_text += strlen(SYSV_NATIVE_PREFIX);
		k->native = 1;
	} else if (strstr(text, "://")) {
		report("bad key '%s': a name starts with sysv:, sysv+native: or redis://",
		       text);
		return -1;
	}
	if (share_key_parse(key_text, &k->key) < 0) {
		report("bad key '%s': %s", text, why_bad(key_text, errno));
		return -1;
	}
	if (k->key == IPC_PRIVATE) {
		report("bad key '%s': key 0 is IPC_PRIVATE, which no share can be found by",
		       text);
		return -1;
	}
	return 0;
}

int key_as_string(key_t key, char *buf)
{
	int32_t raw = (int32_t)key;
	key_t again;
	size_t len = sizeof(raw), i;

	memcpy(buf, &raw, sizeof(raw));
	while (len > 0 && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
	for (i = 0; i < len; i++)
		if (buf[i] < 0x21 || buf[i] > 0x7e)
			return 0;
	/* "1234" or "0x12" would be read as a number: not this key's name. */
	return len > 0 && share_key_parse(buf, &again) == 0 && again == key;
}

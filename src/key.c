/*
 * key.c - turning a string into a key. IPC::ShareLite's rule: a string of
 * digits is a number; any other string of one to four bytes is padded with
 * spaces to four and read as a native-endian int32. share_key_parse() puts
 * one rule before it, so that keys can be written as ipcs(1) shows them:
 * 0x and hexadecimal digits is a number.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define KEY_BYTES 4
#define HEX_DIGITS "0123456789abcdefABCDEF"

SHARELITE_EXPORT int share_key_from_string(const char *str, key_t *key)
{
	size_t len;

	if (!str || !key || !*str) {
		errno = EINVAL;
		return -1;
	}
	len = strspn(str, "0123456789");
	if (str[len] == '\0') {
		uint64_t n = 0;
		size_t i;

		for (i = 0; i < len; i++) {
			n = n * 10 + (uint64_t)(str[i] - '0');
			if (n > UINT32_MAX) {
				errno = ERANGE;
				return -1;
			}
		}
		*key = (key_t)(uint32_t)n;	/* as Perl passes it to semget */
		return 0;
	}
	len = strlen(str);
	if (len > KEY_BYTES) {
		errno = EINVAL;
		return -1;
	} else {
		char padded[KEY_BYTES] = { ' ', ' ', ' ', ' ' };
		int32_t n;

		memcpy(padded, str, len);
		memcpy(&n, padded, sizeof(n));
		*key = (key_t)n;
	}
	return 0;
}

/* All of digits as a hexadecimal number up to UINT32_MAX. */
static int key_from_hex(const char *digits, key_t *key)
{
	size_t len = strspn(digits, HEX_DIGITS), i;
	uint64_t n = 0;

	if (len == 0 || digits[len] != '\0') {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < len; i++) {
		char c = digits[i];
		unsigned digit = c <= '9' ? (unsigned)(c - '0') :
				 c <= 'F' ? (unsigned)(c - 'A' + 10) : (unsigned)(c - 'a' + 10);

		n = n * 16 + digit;
		if (n > UINT32_MAX) {
			errno = ERANGE;
			return -1;
		}
	}
	*key = (key_t)(uint32_t)n;
	return 0;
}

SHARELITE_EXPORT int share_key_parse(const char *text, key_t *key)
{
	if (!text || !key) {
		errno = EINVAL;
		return -1;
	}
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		return key_from_hex(text + 2, key);
	return share_key_from_string(text, key);
}

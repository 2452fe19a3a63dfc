/*
 * key.c - IPC::ShareLite's rule for turning a string into a key: a string
 * of digits is a number; any other string of one to four bytes is padded
 * with spaces to four and read as a native-endian int32.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define KEY_BYTES 4

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

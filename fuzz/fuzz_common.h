/*
 * fuzz_common.h - what the fuzz targets share: the record of every SysV
 * object the process creates (shmget() and semget() wrapped at link time,
 * -Wl,--wrap, as fuzz/run.sh builds them), to remove after each input,
 * a reader of the input's bytes, and the calls every target makes.
 */
#ifndef SHARELITE_FUZZ_COMMON_H
#define SHARELITE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "sharelite.h"

struct input {
	const uint8_t *p;
	size_t left;
};

/* The next byte, or 0 once the input is used up. */
static inline uint8_t take_byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* Remove every segment and set created since the last call. */
void fuzz_remove_created(void);

/*
 * Up to 32 calls on s, one input byte each: fetch, fetch_into,
 * num_segments, stat, version, store, LOCK_SH, LOCK_EX, unlock, remove
 * (or stop, for close to remove), fetch_if_changed, wait_change. A store's
 * length is its next byte times store_unit, modulo store_max + 1 (at most
 * FUZZ_MAX_STORE).
 */
#define FUZZ_MAX_STORE 8192
void fuzz_run_ops(share_t *s, struct input *in, size_t store_unit, size_t store_max);

#endif /* SHARELITE_FUZZ_COMMON_H */

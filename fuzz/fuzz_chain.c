/*
 * fuzz_chain.c - a libFuzzer target for the code that walks and checks a
 * share's chain (src/ipcsl/chain.c, src/ipcsl/format.c): whatever another
 * process wrote into the segment headers, no call may crash, hang, or read
 * or write outside a segment.
 *
 * Each input builds a real IPC_PRIVATE share whose chain it then rewrites:
 *
 *   byte 0      segment size: 17 + b % 48 (1 to 48 data bytes a segment)
 *   byte 1      segments in the chain, head included: 1 + b % 8
 *   then        a 16-byte header for each segment (next_shmid, length,
 *               shm_state, version), next_shmid picking from the ids below
 *   the rest    operations, one byte each, and store lengths
 *
 * A link only ever names an object this input made (a chain segment, a
 * spare of the same size, one of another size, a removed id) or an id
 * that names nothing, so that the library never touches another
 * program's segment. Every object made is removed after each input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "sharelite.h"
#include "ipcsl/chain.h"
#include "fuzz_common.h"

#define MAX_SEGMENTS 8

static uint32_t take_u32(struct input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | take_byte(in);
	return v;
}

static int new_segment(size_t size)
{
	return shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
}

/* Write a header into a segment, as a scribbling process would. */
static void write_header(int shmid, const struct segment_header *h)
{
	void *p = shmat(shmid, NULL, 0);

	if (p == (void *)-1)
		abort();	/* our own segment: cannot happen */
	memcpy(p, h, sizeof(*h));
	shmdt(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	size_t segsz = 17 + take_byte(&in) % 48;
	size_t nsegs = 1 + take_byte(&in) % MAX_SEGMENTS;
	int ids[MAX_SEGMENTS + 5], nids = 0;
	struct share_info info;
	share_t *s;

	s = share_new(IPC_PRIVATE, segsz, IPC_CREAT);
	if (!s || share_stat(s, &info) < 0)
		abort();
	share_set_destroy(s, 1);

	/* The ids a link may name: the chain's, then the odd ones. */
	ids[nids++] = info.shmid;
	for (size_t i = 1; i < nsegs; i++)
		ids[nids++] = new_segment(segsz);
	ids[nids++] = new_segment(segsz);		/* same size, not linked */
	ids[nids++] = new_segment(segsz + 1);		/* another size */
	ids[nids] = new_segment(segsz);			/* removed */
	shmctl(ids[nids++], IPC_RMID, NULL);
	ids[nids++] = -1;
	ids[nids++] = INT32_MAX;			/* names nothing */
	for (int i = 0; i < nids; i++)
		if (ids[i] < 0 && i < nids - 2)
			abort();	/* out of segments: nothing to test */

	for (size_t i = 0; i < nsegs; i++) {
		struct segment_header h;
		uint32_t link = take_u32(&in);

		/* Most inputs should chain in order; the rest pick any id. */
		if (link >> 31)
			h.next_shmid = ids[link % (uint32_t)nids];
		else
			h.next_shmid = i + 1 < nsegs ? ids[i + 1] : -1;
		h.length = (int32_t)take_u32(&in);
		h.shm_state = take_u32(&in);
		h.version = take_u32(&in);
		write_header(ids[i], &h);
	}

	/* Stores of up to twice the chain, at most 16 segments. */
	fuzz_run_ops(s, &in, 1, 2 * MAX_SEGMENTS * (segsz - SHARELITE_HEADER_SIZE));
	share_close(s);
	fuzz_remove_created();
	return 0;
}

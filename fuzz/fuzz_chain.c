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

#define MAX_SEGMENTS 8
#define MAX_OPS 32
#define MAX_CREATED 4096

/* Every segment and set this process creates, the library's included. */
static int created_shm[MAX_CREATED], created_sem[MAX_CREATED];
static size_t n_created_shm, n_created_sem;

int __real_shmget(key_t key, size_t size, int flags);
int __real_semget(key_t key, int nsems, int flags);
int __wrap_shmget(key_t key, size_t size, int flags);
int __wrap_semget(key_t key, int nsems, int flags);

int __wrap_shmget(key_t key, size_t size, int flags)
{
	int id = __real_shmget(key, size, flags);

	if (id >= 0 && (flags & IPC_CREAT) && n_created_shm < MAX_CREATED)
		created_shm[n_created_shm++] = id;
	return id;
}

int __wrap_semget(key_t key, int nsems, int flags)
{
	int id = __real_semget(key, nsems, flags);

	if (id >= 0 && (flags & IPC_CREAT) && n_created_sem < MAX_CREATED)
		created_sem[n_created_sem++] = id;
	return id;
}

static void remove_created(void)
{
	for (size_t i = 0; i < n_created_shm; i++)
		shmctl(created_shm[i], IPC_RMID, NULL);
	for (size_t i = 0; i < n_created_sem; i++)
		semctl(created_sem[i], 0, IPC_RMID);
	n_created_shm = n_created_sem = 0;
}

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t take_byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

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

static void run_ops(share_t *s, struct input *in, size_t data_size)
{
	static uint8_t value[MAX_SEGMENTS * 2 * 48];
	uint8_t buf[64];
	struct share_info info;
	void *got;

	for (int n = 0; n < MAX_OPS && in->left; n++) {
		uint8_t op = take_byte(in);
		size_t length;

		switch (op % 10) {
		case 0:
			got = NULL;
			if (share_fetch(s, &got) >= 0 && !got)
				abort();
			free(got);
			break;
		case 1:
			share_fetch_into(s, buf, op % sizeof(buf));
			break;
		case 2:
			share_num_segments(s);
			break;
		case 3:
			share_stat(s, &info);
			break;
		case 4:
			share_version(s);
			break;
		case 5:
			/* Up to twice the chain, at most 16 segments. */
			length = take_byte(in) % (2 * MAX_SEGMENTS * data_size + 1);
			if (length > sizeof(value))
				length = sizeof(value);
			memset(value, op, length);
			share_store(s, value, length);
			break;
		case 6:
			share_lock(s, LOCK_SH | (op & 0x10 ? LOCK_NB : 0));
			break;
		case 7:
			share_lock(s, LOCK_EX | (op & 0x10 ? LOCK_NB : 0));
			break;
		case 8:
			share_unlock(s);
			break;
		case 9:
			if (op & 0x80)
				return;	/* leave the rest to close, with destroy */
			share_remove(s);
			return;
		}
	}
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

	run_ops(s, &in, segsz - SHARELITE_HEADER_SIZE);
	share_close(s);
	remove_created();
	return 0;
}

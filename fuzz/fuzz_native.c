/*
 * fuzz_native.c - a libFuzzer target for the code that reads the native
 * format's head (src/native/format.c, src/native/value.c): whatever
 * another process wrote into the head, no call may crash, hang, or read
 * or write outside the share; each fails with an error or works.
 *
 * Each input builds a real keyed native share, stores a value, then
 * rewrites its head:
 *
 *   byte 0      head size: the smallest head plus 8 * (b % 32) bytes
 *   byte 1      length of the value stored first: b * 16 (up to 4080)
 *   byte 2      bit 0: write over the mutex too; bit 1: open a second
 *               handle on the written head
 *   then        one byte XORed onto each byte of the header before the
 *               mutex, and of the slots; the shmid, orphan and creator
 *               fields are not XORed but kept (byte 0) or picked (a byte
 *               each) from ids this input made, so that the library never
 *               meets another program's segment; then the mutex's bytes,
 *               if bit 0
 *   the rest    operations, one byte each, and store lengths
 *
 * The ids: the head, a spare segment of the head's mode (a value segment
 * by the head's account), a canary of another mode (never a value
 * segment: it must come out untouched), a removed id, -1 and an id that
 * names nothing. Every handle has a short timeout: a mutex written over
 * can look held, and a held lock is waited for only that long. Every
 * object made is removed after each input.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "sharelite.h"
#include "native/head.h"
#include "fuzz_common.h"

#define TIMEOUT_MS 5
#define CANARY_SIZE 8192

/* XOR input bytes onto n bytes of the head. */
static void scribble(unsigned char *p, size_t n, struct input *in)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= take_byte(in);
}

/* A keyed share of our own: a key made of our pid, tried until free. */
static share_t *new_share(size_t size, key_t *key)
{
	static unsigned serial;

	for (int tries = 0; tries < 64; tries++) {
		share_t *s;

		*key = (key_t)(0x4e000000u | ((unsigned)getpid() & 0xffff) << 8 | (serial++ & 0xff));
		s = share_new(*key, size, IPC_CREAT | IPC_EXCL | SHARE_NATIVE | 0600);
		if (s)
			return s;
		if (errno != EEXIST)
			break;
	}
	abort();	/* no key, or no share: nothing to test */
}

/* Keep the id the field holds (byte 0), or pick one an input may name. */
static int32_t pick(int32_t was, const int *ids, int nids, struct input *in)
{
	uint8_t b = take_byte(in);

	return b ? ids[(b - 1) % nids] : was;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char canary_copy[CANARY_SIZE];
	struct input in = { data, size };
	size_t head_size = NATIVE_MIN_SIZE + 8 * (take_byte(&in) % 32);
	size_t first = (size_t)take_byte(&in) * 16;
	uint8_t how = take_byte(&in);
	static uint8_t value[4096];
	int ids[6], nids = 0, canary;
	struct native_head *h;
	struct share_info info;
	unsigned char *c;
	share_t *s, *t = NULL;
	key_t key;

	s = new_share(head_size, &key);
	share_set_destroy(s, 1);
	share_set_timeout(s, TIMEOUT_MS);
	memset(value, 'v', first);
	if (share_store(s, value, first) < 0 || share_stat(s, &info) < 0)
		abort();

	canary = shmget(IPC_PRIVATE, CANARY_SIZE, IPC_CREAT | 0640);
	ids[nids++] = info.shmid;
	ids[nids++] = shmget(IPC_PRIVATE, CANARY_SIZE, IPC_CREAT | 0600);
	ids[nids++] = canary;
	ids[nids] = shmget(IPC_PRIVATE, 64, IPC_CREAT | 0600);	/* removed */
	shmctl(ids[nids++], IPC_RMID, NULL);
	ids[nids++] = -1;
	ids[nids++] = INT32_MAX;			/* names nothing */
	for (int i = 0; i < 4; i++)
		if (ids[i] < 0)
			abort();	/* out of segments: nothing to test */
	c = shmat(canary, NULL, 0);
	if (c == (void *)-1)
		abort();
	for (size_t i = 0; i < CANARY_SIZE; i++)
		c[i] = canary_copy[i] = (unsigned char)(i * 7 + 3);

	/* Write the head as another process would, between two calls. */
	h = shmat(info.shmid, NULL, 0);
	if (h == (void *)-1)
		abort();
	scribble((unsigned char *)h, offsetof(struct native_head, creator), &in);
	/* A creator that is us, nobody, or no process at all. */
	switch (take_byte(&in) % 3) {
	case 0:
		h->creator = 0;
		break;
	case 1:
		h->creator = (int32_t)getpid();
		break;
	default:
		h->creator = INT32_MAX;
		break;
	}
	h->orphan[0] = pick(h->orphan[0], ids, nids, &in);
	h->orphan[1] = pick(h->orphan[1], ids, nids, &in);
	scribble((unsigned char *)&h->creating_size, 16, &in);
	/* The published line: current, the futex words, the small copies. */
	scribble((unsigned char *)&h->current,
		 offsetof(struct native_head, writer) - offsetof(struct native_head, current), &in);
	for (int i = 0; i < 2; i++) {
		scribble((unsigned char *)&h->slot[i], offsetof(struct native_slot, shmid), &in);
		h->slot[i].shmid = pick(h->slot[i].shmid, ids, nids, &in);
	}
	if (how & 1)
		scribble(h->writer.room, sizeof(h->writer.room), &in);
	shmdt(h);

	if (how & 2) {
		t = share_new_timeout(key, 0, 0, TIMEOUT_MS);
		if (t) {
			share_set_destroy(t, 1);
			fuzz_run_ops(t, &in, 32, FUZZ_MAX_STORE);
		}
	}
	fuzz_run_ops(s, &in, 32, FUZZ_MAX_STORE);
	if (t)
		share_close(t);
	share_close(s);

	/* The canary is no value segment: nobody wrote into it or removed it. */
	{
		struct shmid_ds ds;

		if (memcmp(c, canary_copy, CANARY_SIZE) != 0 || shmctl(canary, IPC_STAT, &ds) < 0 ||
		    (ds.shm_perm.mode & SHM_DEST))
			abort();
	}
	shmdt(c);
	fuzz_remove_created();
	return 0;
}

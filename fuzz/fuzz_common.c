/*
 * fuzz_common.c - the record of every segment and set this process
 * creates, the library's included (fuzz_common.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "fuzz_common.h"

#define MAX_CREATED 4096

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

void fuzz_remove_created(void)
{
	for (size_t i = 0; i < n_created_shm; i++)
		shmctl(created_shm[i], IPC_RMID, NULL);
	for (size_t i = 0; i < n_created_sem; i++)
		semctl(created_sem[i], 0, IPC_RMID);
	n_created_shm = n_created_sem = 0;
}

void fuzz_run_ops(share_t *s, struct input *in, size_t store_unit, size_t store_max)
{
	static uint8_t value[FUZZ_MAX_STORE];
	struct share_info info;
	unsigned int version;
	uint8_t buf[64];
	size_t length;
	void *got;

	for (int n = 0; n < 32 && in->left; n++) {
		uint8_t op = take_byte(in);

		switch (op % 12) {
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
			length = take_byte(in) * store_unit % (store_max + 1);
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
		case 10:
			version = take_byte(in);
			got = NULL;
			length = 0;
			if (share_fetch_if_changed(s, &version, &got, &length) > 0)
				free(got);
			break;
		case 11:
			share_wait_change(s, take_byte(in), 0);
			break;
		}
	}
}

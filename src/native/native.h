/*
 * native.h - what the files of the native memory format share: a
 * handle's state and the value's protocol (value.c).
 */
#ifndef SHARELITE_NATIVE_NATIVE_H
#define SHARELITE_NATIVE_NATIVE_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "format.h"
#include "head.h"
#include "mutex.h"

/* A value segment this handle has mapped, for one slot; none if addr is NULL. */
struct native_map {
	int shmid;
	unsigned char *addr;
	size_t size;			/* from the kernel */
};

struct native {
	int semid;			/* -1 for a private share */
	int private_share;		/* IPC_PRIVATE: locks in the head's table */
	struct native_proclock *table;	/* a private head's lock table, else NULL */
	int shmid;			/* the head's */
	struct native_head *head;	/* mapped; NULL before open maps it */
	size_t size;			/* the head's, from the kernel */
	uint64_t slot_size;		/* from size, never from the head */
	unsigned char *data[2];		/* each slot's data */
	mode_t mode;			/* the head's permission bits */
	struct native_map map[2];	/* each slot's value segment */
};

/* The writers' mutex (mutex.h): until deadline, or for timeout_ms
 * (-1: no limit) when there is none; -1 with ETIMEDOUT or EBADMSG. */
static inline int sl_native_writer_lock(struct native *st, const struct timespec *deadline,
					int timeout_ms)
{
	return sl_native_mutex_lock(&st->head->writer.mutex, deadline, timeout_ms);
}

static inline void sl_native_writer_unlock(struct native *st)
{
	pthread_mutex_unlock(&st->head->writer.mutex);
}
/* 1 with EIDRM once share_remove() removed the share, else 0. */
static inline int sl_native_removed(const struct native *st)
{
	/* Acquire: pairs with the remover's release store; nothing later in
	 * the call is used before the flag says the share is there. */
	if (__atomic_load_n(&st->head->removed, __ATOMIC_ACQUIRE)) {
		errno = EIDRM;
		return 1;
	}
	return 0;
}
int sl_native_write(struct native *st, const void *data, size_t length);
/* The fetch op (format.h), lock-free. */
ssize_t sl_native_fetch(const share_t *share, struct sl_fetch *f);
/* Holding a semaphore lock: the published value in place (share_view()). */
ssize_t sl_native_view(struct native *st, const void **data);
/* share_wait_change() on the futex word wake (value.c). */
void sl_native_wake(struct native *st, unsigned int version);
int sl_native_wait(struct native *st, unsigned int version, const struct timespec *deadline);
/* Remove the value segments (native_remove()); unmap them (close). */
void sl_native_remove_values(struct native *st);
void sl_native_unmap_values(struct native *st);
/* The value segments the slots name now. */
int sl_native_value_segments(const struct native *st);
int sl_native_published(struct native *st, unsigned int *version, size_t *length);

#endif /* SHARELITE_NATIVE_NATIVE_H */

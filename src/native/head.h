/*
 * head.h - the native memory format's head segment (sharelite(7), "Native
 * format"): a header, two small copies, then two slots of equal size. A
 * value of at most NATIVE_SMALL bytes goes in a small copy, on the cache
 * line of `current` itself, so that its store writes one line, the one its
 * readers read; a longer one in a slot. The published value is in one copy
 * or slot of index i; a store writes index 1 - i and publishes it with one
 * atomic store of `current`, so readers never wait and a writer killed at
 * any instruction leaves the published value whole.
 *
 * Nothing read from the head is trusted: another process may have written
 * anything there. Each field is loaded once and checked before use.
 */
#ifndef SHARELITE_NATIVE_HEAD_H
#define SHARELITE_NATIVE_HEAD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define NATIVE_MAGIC 0x4e534c31u	/* "NSL1" */
#define NATIVE_FORMAT_VERSION 2u

/*
 * One slot's descriptor. seq is odd while a writer fills the slot. A value
 * longer than the slot is in a segment of its own, the slot's, whose id
 * shmid is; -1: the value is in the slot.
 */
struct native_slot {
	uint32_t seq;
	uint32_t version;	/* the version the slot's value was stored as */
	uint64_t length;	/* bytes of the value */
	int32_t shmid;
	/* Readers copying the slot that asked writers to leave it be (value.c,
	 * read_held()): a writer waits for them, a bounded time. */
	uint32_t holds;
};

/* Values of at most this many bytes are small copies (struct native_small). */
#define NATIVE_SMALL 16
_Static_assert(NATIVE_SMALL == 16, "copy_small() (value.c) copies at most 16 bytes");

/* A small value, whole: the version it was stored as, its length, its
 * bytes as words (read and written as atomics, so a racing copy is no
 * data race; current's reload tells a reader whether it raced). */
struct native_small {
	uint32_t version;
	uint32_t length;
	uint64_t word[NATIVE_SMALL / 8];
};

/* Room kept for the mutex, whose size is the ABI's (40 bytes on x86-64). */
#define NATIVE_MUTEX_ROOM 64

struct native_head {
	uint32_t magic;		/* NATIVE_MAGIC, stored last by the creator */
	uint32_t format_version;
	uint32_t mutex_size;	/* sizeof(pthread_mutex_t) of the creator's ABI */
	uint32_t removed;	/* 1 once share_remove() removed the share */
	uint64_t slot_size;	/* bytes a slot holds */
	/* Nonzero: a semaphore lock may be held, stores take the slow path. */
	uint32_t locked;
	/* Pid of a writer creating a value segment, whose id it has not
	 * recorded yet; 0 if none. */
	int32_t creator;
	/* Value segments a writer made or is replacing, -1 if none: one
	 * killed meanwhile leaves them here, for the next writer to remove
	 * those no slot names. */
	int32_t orphan[2];
	/* With creator: the size it asked for, and the time (seconds) before
	 * it asked, to tell its segment from others the process made. */
	uint64_t creating_size;
	int64_t creating_since;
	/*
	 * The published line: one cache line that a fetch of a small value
	 * reads and a store of one writes, and nothing else that either
	 * writes, so that a writer and its readers hand one line back and
	 * forth per store, not one per field they share.
	 *
	 * current: version << 32 | NATIVE_IN_SMALL | index, with
	 * NATIVE_IN_SMALL set when the value is small[index] and clear when
	 * it is in slot[index].
	 */
	_Alignas(64) uint64_t current;
	/* The version again, as a 32-bit word for futex(2) waiters. */
	uint32_t wake;
	/* Processes in share_wait_change(): a store wakes them if nonzero. */
	uint32_t waiters;
	struct native_small small[2];
	/* On lines of their own: readers of a small value touch neither. */
	_Alignas(64) union {
		pthread_mutex_t mutex;	/* robust, process-shared: the writers' */
		unsigned char room[NATIVE_MUTEX_ROOM];
	} writer;
	struct native_slot slot[2];
};

_Static_assert(offsetof(struct native_head, writer) - offsetof(struct native_head, current) == 64,
	       "the published line is one cache line");

_Static_assert(sizeof(pthread_mutex_t) <= NATIVE_MUTEX_ROOM, "the mutex fits its room");
_Static_assert(__GCC_ATOMIC_LLONG_LOCK_FREE == 2,
	       "current is published with one lock-free 64-bit atomic store");

/*
 * A private share's explicit locks (proclock.c): no semaphore set, which
 * the kernel could not remove once every process of the family is killed,
 * but a table of holders in the head, as LMDB's reader table. An entry
 * names a handle of a live process; a waiter that finds a conflicting
 * entry whose process is dead clears it. Only private heads have it,
 * between the header and the slots, so a keyed head's layout is as it was.
 */
#define NATIVE_HOLDERS 128

/* An entry's lock while its writer waits for LOCK_EX: new LOCK_SH takers
 * wait behind it (proclock.c). LOCK_SH and LOCK_EX are 1 and 2. */
#define NATIVE_WAITING_EX 16u

struct native_holder {
	int32_t pid;		/* 0: a free entry */
	uint32_t lock;		/* LOCK_SH, LOCK_EX or NATIVE_WAITING_EX */
	uint64_t start;		/* the process's start time, 0 if unknown */
	uint64_t handle;	/* which handle of that process */
};

struct native_proclock {
	/* Bumped at every release and downgrade, and when a waiting writer
	 * gives up: waiters sleep on it. */
	uint32_t word;
	/* Processes asleep on word: a release wakes them if nonzero. */
	uint32_t waiters;
	union {
		pthread_mutex_t mutex;	/* robust, process-shared: the table's */
		unsigned char room[NATIVE_MUTEX_ROOM];
	} table;
	struct native_holder holder[NATIVE_HOLDERS];
};

/* Slot data starts here, slot 1 right after slot 0. */
#define NATIVE_DATA_OFFSET ((sizeof(struct native_head) + 63) & ~(size_t)63)
/* The smallest head: room for 64 bytes in each slot. */
#define NATIVE_MIN_SIZE (NATIVE_DATA_OFFSET + 2 * 64)

/* A private head's slot data starts after its lock table. */
#define NATIVE_PRIVATE_DATA_OFFSET \
	((NATIVE_DATA_OFFSET + sizeof(struct native_proclock) + 63) & ~(size_t)63)
#define NATIVE_PRIVATE_MIN_SIZE (NATIVE_PRIVATE_DATA_OFFSET + 2 * 64)

/* Where the slots of a head start: after the lock table if it has one. */
static inline size_t native_data_offset(int private_share)
{
	return private_share ? NATIVE_PRIVATE_DATA_OFFSET : NATIVE_DATA_OFFSET;
}

/* The size of each slot of a head segment of `segment_size` bytes. */
static inline uint64_t native_slot_size(size_t segment_size, int private_share)
{
	return ((segment_size - native_data_offset(private_share)) / 2) & ~(uint64_t)7;
}

/* In current: the value is small[index]. */
#define NATIVE_IN_SMALL 2u

static inline uint64_t native_current(unsigned int version, unsigned int index)
{
	return (uint64_t)version << 32 | index;
}

static inline uint64_t native_current_small(unsigned int version, unsigned int index)
{
	return (uint64_t)version << 32 | NATIVE_IN_SMALL | index;
}

/* Whether current names small[index] (1) or slot[index] (0). */
static inline int native_current_is_small(uint64_t current)
{
	return (current & NATIVE_IN_SMALL) != 0;
}

static inline unsigned int native_current_version(uint64_t current)
{
	return (unsigned int)(current >> 32);
}

/* Always 0 or 1, whatever the word holds: safe to index slot[] with. */
static inline unsigned int native_current_index(uint64_t current)
{
	return (unsigned int)(current & 1);
}

#endif /* SHARELITE_NATIVE_HEAD_H */

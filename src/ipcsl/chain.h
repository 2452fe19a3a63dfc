/*
 * chain.h - a share's value as a chain of equal-size SysV segments, each a
 * 16-byte header and a chunk of data (sharelite(7), "Memory format").
 *
 * Nothing read from shared memory is trusted: another process may have
 * written anything there. Each field is loaded once, checked, then used, and
 * a chain that does not hold together gives EBADMSG: a link to a segment of
 * another size, to a removed one, to one that cannot be read without SIGBUS,
 * or back into the chain. A writer does not follow such a link: it cuts it
 * and removes nothing beyond.
 */
#ifndef SHARELITE_CHAIN_H
#define SHARELITE_CHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct segment_header {
	int32_t next_shmid;	/* -1 ends the chain */
	int32_t length;		/* head only: bytes in the value */
	uint32_t shm_state;	/* head only: bumped when the chain shrinks */
	uint32_t version;	/* head only: bumped by every store */
};

struct chain_segment {
	int shmid;
	unsigned char *addr;	/* the header; data follows it */
};

struct chain {
	struct chain_segment *segs;	/* segs[0] is the head */
	size_t attached;		/* segs[0..attached) are mapped */
	size_t capacity;
	int *ids;			/* set of segs[].shmid, -1 in free slots */
	size_t ids_size;		/* 2 * capacity, a power of two */
	size_t segment_size;		/* every segment's, header included */
	size_t data_size;		/* segment_size - header */
	uint32_t shm_state;		/* head's, when segs[1..] were mapped */
	mode_t mode;			/* head's permission bits, when last looked */
};

static inline struct segment_header *chain_head(const struct chain *c)
{
	return (struct segment_header *)c->segs[0].addr;
}

/* Loads a field of shared memory exactly once. */
#define chain_load(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
/*
 * Stores a head field that readers load without the lock (length, version:
 * share_version(), share_stat()), so that they see it whole, old or new.
 * Relaxed suffices: what they read so is a number to report or compare,
 * never a reason to read the value, which is read under the lock, whose
 * semop(2) orders it after the writer's stores. On x86 and ARM it is the
 * same single store as a plain one.
 */
#define chain_store(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

/* Map the head segment and learn the chain's geometry from the kernel. */
int sl_chain_open_head(struct chain *c, int shmid);
/* Write a new share's head header: empty value, version 1. */
void sl_chain_init_head(struct chain *c);
/* Unmap everything and free the chain's memory. */
void sl_chain_close(struct chain *c);

/* Forget overflow mappings if another process shortened the chain. */
void sl_chain_sync(struct chain *c);
/* How many segments a value of this length occupies (at least one). */
size_t sl_chain_segments_for(const struct chain *c, size_t length);
/* Map the first n segments of the existing chain; EBADMSG if it is shorter. */
int sl_chain_attach(struct chain *c, size_t n);
/* Map the whole chain and make it at least n segments long, creating
 * IPC_PRIVATE segments with the head's mode of now. On failure the chain is
 * as it was: what was created is removed. */
int sl_chain_reserve(struct chain *c, size_t n);
/* Remove every segment after the first n (all mapped) and bump shm_state.
 * If a segment of the chain cannot be mapped, nothing is removed; the
 * removal stops at the last segment this process may not remove, which
 * stays linked with all before it: the chain stays longer, never orphans. */
int sl_chain_trim(struct chain *c, size_t n);
/* Copy a value into / out of the mapped segments, chunk by chunk. */
void sl_chain_write(struct chain *c, const void *data, size_t length);
void sl_chain_read(const struct chain *c, void *buf, size_t length);
/* Length of the whole chain, mapping all of it. */
int sl_chain_count(struct chain *c);
/* Remove every segment of the chain as it is now (IPC_RMID), the last one
 * first, and unmap them; on failure nothing is removed (unless the rights
 * change mid-way: then the value is emptied, and what stays is linked). */
int sl_chain_remove(struct chain *c);

#endif /* SHARELITE_CHAIN_H */

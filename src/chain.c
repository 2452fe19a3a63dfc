/*
 * chain.c - mapping, growing, shrinking and copying a chain of segments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "sharelite_const.h"
#include "chain.h"

_Static_assert(sizeof(struct segment_header) == SHARELITE_HEADER_SIZE,
	       "the header is 16 bytes in IPC::ShareLite's format");

#define SEGMENT_MODE_BITS 0777

static struct segment_header *header_at(const struct chain *c, size_t i)
{
	return (struct segment_header *)c->segs[i].addr;
}

/*
 * A chain cannot hold more segments than the system has: walks that follow
 * next_shmid stop there, so a cycle written into shared memory ends.
 */
static size_t walk_limit(void)
{
	struct shm_info info;
	int highest = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);

	if (highest < 0)
		return 1u << 20;
	return (size_t)info.used_ids + 1;
}

static int grow_array(struct chain *c, size_t n)
{
	size_t cap = c->capacity ? c->capacity : 8;
	struct chain_segment *segs;

	if (n <= c->capacity)
		return 0;
	while (cap < n)
		cap *= 2;
	segs = realloc(c->segs, cap * sizeof(*segs));
	if (!segs)
		return -1;
	c->segs = segs;
	c->capacity = cap;
	return 0;
}

/* Map a segment that must be one of this chain's: same size. */
static void *map_member(const struct chain *c, int shmid)
{
	struct shmid_ds ds;
	void *addr;

	if (shmctl(shmid, IPC_STAT, &ds) < 0 || ds.shm_segsz != c->segment_size) {
		errno = EBADMSG;
		return NULL;
	}
	addr = shmat(shmid, NULL, 0);
	if (addr == (void *)-1) {
		if (errno != EACCES && errno != ENOMEM)
			errno = EBADMSG;
		return NULL;
	}
	return addr;
}

int chain_open_head(struct chain *c, int shmid)
{
	struct shmid_ds ds;
	void *addr;

	memset(c, 0, sizeof(*c));
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return -1;
	/* A segment that cannot hold a header and a byte is not a share's. */
	if (ds.shm_segsz <= SHARELITE_HEADER_SIZE) {
		errno = EEXIST;
		return -1;
	}
	if (grow_array(c, 1) < 0)
		return -1;
	addr = shmat(shmid, NULL, 0);
	if (addr == (void *)-1) {
		free(c->segs);
		c->segs = NULL;
		return -1;
	}
	c->segs[0].shmid = shmid;
	c->segs[0].addr = addr;
	c->attached = 1;
	c->segment_size = ds.shm_segsz;
	c->data_size = ds.shm_segsz - SHARELITE_HEADER_SIZE;
	c->mode = ds.shm_perm.mode & SEGMENT_MODE_BITS;
	c->shm_state = chain_load(chain_head(c)->shm_state);
	return 0;
}

void chain_init_head(struct chain *c)
{
	struct segment_header *h = chain_head(c);

	h->next_shmid = -1;
	h->length = 0;
	h->shm_state = 1;
	h->version = 1;
	c->shm_state = 1;
}

static void detach_from(struct chain *c, size_t n)
{
	while (c->attached > n)
		shmdt(c->segs[--c->attached].addr);
}

void chain_close(struct chain *c)
{
	detach_from(c, 0);
	free(c->segs);
	c->segs = NULL;
	c->capacity = 0;
}

void chain_sync(struct chain *c)
{
	uint32_t state = chain_load(chain_head(c)->shm_state);

	if (state != c->shm_state) {
		detach_from(c, 1);
		c->shm_state = state;
	}
}

size_t chain_segments_for(const struct chain *c, size_t length)
{
	size_t n = length / c->data_size + (length % c->data_size != 0);

	return n ? n : 1;
}

/* Map segment c->attached, the one the last mapped segment links to. */
static int attach_next(struct chain *c, int shmid)
{
	void *addr;

	if (grow_array(c, c->attached + 1) < 0)
		return -1;
	addr = map_member(c, shmid);
	if (!addr)
		return -1;
	c->segs[c->attached].shmid = shmid;
	c->segs[c->attached].addr = addr;
	c->attached++;
	return 0;
}

int chain_attach(struct chain *c, size_t n)
{
	while (c->attached < n) {
		int next = chain_load(header_at(c, c->attached - 1)->next_shmid);

		if (next < 0) {
			errno = EBADMSG;	/* shorter than its length says */
			return -1;
		}
		if (attach_next(c, next) < 0)
			return -1;
	}
	return 0;
}

static int create_segment(const struct chain *c)
{
	/* IPC_PRIVATE: no key another program could open or collide with. */
	return shmget(IPC_PRIVATE, c->segment_size, IPC_CREAT | IPC_EXCL | c->mode);
}

/* Undo chain_reserve() from segment `first`, which it created. */
static void unreserve(struct chain *c, size_t first)
{
	size_t i;

	header_at(c, first - 1)->next_shmid = -1;
	for (i = first; i < c->attached; i++) {
		shmdt(c->segs[i].addr);
		shmctl(c->segs[i].shmid, IPC_RMID, NULL);
	}
	c->attached = first;
}

int chain_reserve(struct chain *c, size_t n)
{
	size_t first_created = 0;

	while (c->attached < n) {
		struct segment_header *tail = header_at(c, c->attached - 1);
		int next = chain_load(tail->next_shmid);
		void *addr;

		if (next >= 0 && !first_created) {
			if (attach_next(c, next) < 0)
				return -1;
			continue;
		}
		if (grow_array(c, c->attached + 1) < 0)
			goto fail;
		next = create_segment(c);
		if (next < 0)
			goto fail;
		addr = shmat(next, NULL, 0);
		if (addr == (void *)-1) {
			int err = errno;

			shmctl(next, IPC_RMID, NULL);
			errno = err;
			goto fail;
		}
		((struct segment_header *)addr)->next_shmid = -1;
		((struct segment_header *)addr)->length = 0;
		if (!first_created)
			first_created = c->attached;
		c->segs[c->attached].shmid = next;
		c->segs[c->attached].addr = addr;
		c->attached++;
		tail->next_shmid = next;	/* linked only once it is whole */
	}
	return 0;

fail:
	if (first_created) {
		int err = errno;

		unreserve(c, first_created);
		errno = err;
	}
	return -1;
}

/*
 * Remove the segments linked from shmid on. Stops at the end of the chain,
 * at a segment that is not of this chain's size (never remove what is not
 * ours), or at the walk limit.
 */
static int remove_linked(const struct chain *c, int shmid)
{
	size_t limit = walk_limit();

	while (shmid >= 0) {
		void *addr;
		int next;

		if (limit-- == 0) {
			errno = EBADMSG;
			return -1;
		}
		addr = map_member(c, shmid);
		if (!addr)
			return -1;
		next = chain_load(((struct segment_header *)addr)->next_shmid);
		shmdt(addr);
		if (shmctl(shmid, IPC_RMID, NULL) < 0)
			return -1;
		shmid = next;
	}
	return 0;
}

int chain_trim(struct chain *c, size_t n)
{
	struct segment_header *last = header_at(c, n - 1);
	int next = chain_load(last->next_shmid);
	int rc;

	if (next < 0)
		return 0;
	/* Unlink first: dying part-way leaks segments but never leaves a
	 * link to a removed one. */
	last->next_shmid = -1;
	detach_from(c, n);
	rc = remove_linked(c, next);
	chain_head(c)->shm_state = ++c->shm_state;
	return rc;
}

void chain_write(struct chain *c, const void *data, size_t length)
{
	const unsigned char *from = data;
	size_t i;

	for (i = 0; length > 0; i++) {
		size_t chunk = length < c->data_size ? length : c->data_size;

		memcpy(c->segs[i].addr + SHARELITE_HEADER_SIZE, from, chunk);
		from += chunk;
		length -= chunk;
	}
}

void chain_read(const struct chain *c, void *buf, size_t length)
{
	unsigned char *to = buf;
	size_t i;

	for (i = 0; length > 0; i++) {
		size_t chunk = length < c->data_size ? length : c->data_size;

		memcpy(to, c->segs[i].addr + SHARELITE_HEADER_SIZE, chunk);
		to += chunk;
		length -= chunk;
	}
}

int chain_count(struct chain *c)
{
	size_t limit = walk_limit();

	for (;;) {
		int next = chain_load(header_at(c, c->attached - 1)->next_shmid);

		if (next < 0)
			break;
		if (c->attached >= limit) {
			errno = EBADMSG;
			return -1;
		}
		if (attach_next(c, next) < 0)
			return -1;
	}
	return (int)c->attached;
}

int chain_remove(struct chain *c)
{
	int next = chain_load(chain_head(c)->next_shmid);
	int rc = 0;

	detach_from(c, 1);
	if (next >= 0)
		rc = remove_linked(c, next);
	if (shmctl(c->segs[0].shmid, IPC_RMID, NULL) < 0)
		rc = -1;
	detach_from(c, 0);
	return rc;
}

/*
 * chain.c - mapping, growing, shrinking and copying a chain of segments.
 *
 * A writer may be killed between any two steps, so every step leaves a
 * chain that holds together: a segment is linked only once it is whole, and
 * unlinked before it is removed. The worst a death leaves is one segment
 * that is no longer linked (a leak), never a link to a removed one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "sharelite_const.h"
#include "chain.h"
#include "rights.h"

_Static_assert(sizeof(struct segment_header) == SHARELITE_HEADER_SIZE,
	       "the header is 16 bytes in IPC::ShareLite's format");

#define SEGMENT_MODE_BITS 0777

static struct segment_header *header_at(const struct chain *c, size_t i)
{
	return (struct segment_header *)c->segs[i].addr;
}

/*
 * The ids of the mapped segments, in a hash set, so that a link back into
 * the chain (a cycle written into shared memory) is seen at once.
 */
static size_t id_slot(const struct chain *c, int shmid)
{
	size_t i = ((uint32_t)shmid * 2654435761u) & (c->ids_size - 1);

	while (c->ids[i] >= 0 && c->ids[i] != shmid)
		i = (i + 1) & (c->ids_size - 1);
	return i;
}

static int id_mapped(const struct chain *c, int shmid)
{
	return c->ids[id_slot(c, shmid)] == shmid;
}

/* Refill the set from segs[0..attached): after a detach or a resize. */
static void rehash_ids(struct chain *c)
{
	size_t i;

	for (i = 0; i < c->ids_size; i++)
		c->ids[i] = -1;
	for (i = 0; i < c->attached; i++)
		c->ids[id_slot(c, c->segs[i].shmid)] = c->segs[i].shmid;
}

/* Room for n mapped segments, with the id set at most half full. */
static int grow_array(struct chain *c, size_t n)
{
	size_t cap = c->capacity ? c->capacity : 8;
	struct chain_segment *segs;
	int *ids;

	if (n <= c->capacity)
		return 0;
	while (cap < n)
		cap *= 2;
	if (cap > SIZE_MAX / (2 * sizeof(*ids))) {
		errno = ENOMEM;
		return -1;
	}
	segs = realloc(c->segs, cap * sizeof(*segs));
	if (!segs)
		return -1;
	c->segs = segs;
	ids = malloc(2 * cap * sizeof(*ids));
	if (!ids)
		return -1;
	free(c->ids);
	c->ids = ids;
	c->ids_size = 2 * cap;
	c->capacity = cap;
	rehash_ids(c);
	return 0;
}

static void push_segment(struct chain *c, int shmid, void *addr)
{
	c->segs[c->attached].shmid = shmid;
	c->segs[c->attached].addr = addr;
	c->attached++;
	c->ids[id_slot(c, shmid)] = shmid;
}

/* Linux's numbers, for C libraries older than the advice. */
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/*
 * Whether reading a segment just attached at addr can die of SIGBUS. An
 * ordinary segment's pages come on demand, always; a SHM_HUGETLB segment
 * made with SHM_NORESERVE takes huge pages at first touch, and with none
 * free that touch is SIGBUS. Neither this library nor Perl makes one, but a
 * user who may write a next_shmid, or take a key first, can plant one.
 *
 * madvise(MADV_COLD) on the first page tells them apart in one call that
 * touches nothing: on an untouched ordinary mapping it has no page to
 * deactivate and returns 0; it refuses (EINVAL) a hugetlb mapping, a locked
 * one (mlockall(MCL_FUTURE)), and any on a kernel before 5.4. Only then does
 * MADV_POPULATE_READ fault the segment in: EFAULT is the SIGBUS a read would
 * have met, and 0 means every page is there for good. A locked mapping was
 * populated at shmat(), so that costs it little. MADV_COLD's EINVAL alone
 * refuses nothing, so a kernel without it needs no probe; one before 5.14
 * knows no MADV_POPULATE_READ (EINVAL) either and goes unchecked. 0: safe;
 * -1 with errno ENOMEM, or EBADMSG for a segment that cannot be read.
 */
static int check_readable(void *addr, size_t size)
{
	if (madvise(addr, 1, MADV_COLD) == 0)
		return 0;
	if (madvise(addr, size, MADV_POPULATE_READ) == 0 || errno == EINVAL)
		return 0;
	if (errno != ENOMEM)
		errno = EBADMSG;
	return -1;
}

/* shmat() and check_readable(); NULL with errno if either fails. */
static void *attach_readable(int shmid, size_t size)
{
	void *addr = shmat(shmid, NULL, 0);

	if (addr == (void *)-1)
		return NULL;
	if (check_readable(addr, size) < 0) {
		int err = errno;

		shmdt(addr);
		errno = err;
		return NULL;
	}
	return addr;
}

/*
 * Map a segment that must be one of this chain's: same size, and not one
 * already in it. Anything else is EBADMSG, save a lack of memory or of
 * permission, which are the caller's to see: a segment this process may not
 * read may well be the chain's (its owner changed its mode), so a writer
 * must not cut the chain there and orphan the rest.
 */
static void *map_member(const struct chain *c, int shmid)
{
	struct shmid_ds ds;
	void *addr;

	if (id_mapped(c, shmid)) {
		errno = EBADMSG;
		return NULL;
	}
	if (shmctl(shmid, IPC_STAT, &ds) < 0) {
		if (errno != EACCES)
			errno = EBADMSG;
		return NULL;
	}
	if (ds.shm_segsz != c->segment_size) {
		errno = EBADMSG;
		return NULL;
	}
	addr = attach_readable(shmid, c->segment_size);
	if (!addr && errno != EACCES && errno != ENOMEM)
		errno = EBADMSG;
	return addr;
}

int sl_chain_open_head(struct chain *c, int shmid)
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
	if (grow_array(c, 1) < 0) {
		sl_chain_close(c);
		return -1;
	}
	addr = attach_readable(shmid, ds.shm_segsz);
	if (!addr) {
		/* A head that cannot be read is not a share's either. */
		int err = errno == EBADMSG ? EEXIST : errno;

		sl_chain_close(c);
		errno = err;
		return -1;
	}
	c->segment_size = ds.shm_segsz;
	c->data_size = ds.shm_segsz - SHARELITE_HEADER_SIZE;
	c->mode = ds.shm_perm.mode & SEGMENT_MODE_BITS;
	push_segment(c, shmid, addr);
	c->shm_state = chain_load(chain_head(c)->shm_state);
	return 0;
}

void sl_chain_init_head(struct chain *c)
{
	struct segment_header *h = chain_head(c);

	h->next_shmid = -1;
	chain_store(h->length, 0);
	h->shm_state = 1;
	chain_store(h->version, 1);
	c->shm_state = 1;
}

static void detach_from(struct chain *c, size_t n)
{
	if (c->attached <= n)
		return;
	while (c->attached > n)
		shmdt(c->segs[--c->attached].addr);
	rehash_ids(c);
}

void sl_chain_close(struct chain *c)
{
	detach_from(c, 0);
	free(c->segs);
	free(c->ids);
	memset(c, 0, sizeof(*c));
}

void sl_chain_sync(struct chain *c)
{
	uint32_t state = chain_load(chain_head(c)->shm_state);
	size_t i;

	if (state != c->shm_state) {
		detach_from(c, 1);
		c->shm_state = state;
	}
	/* A link that no longer names what we mapped: forget from there on. */
	for (i = 1; i < c->attached; i++)
		if (chain_load(header_at(c, i - 1)->next_shmid) != c->segs[i].shmid)
			break;
	detach_from(c, i);
}

size_t sl_chain_segments_for(const struct chain *c, size_t length)
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
	push_segment(c, shmid, addr);
	return 0;
}

/*
 * Map along next_shmid until n segments are mapped or the chain ends. Each
 * step maps a segment not yet mapped, so every walk ends.
 */
static int attach_upto(struct chain *c, size_t n)
{
	while (c->attached < n) {
		int next = chain_load(header_at(c, c->attached - 1)->next_shmid);

		if (next < 0)
			return 0;
		if (attach_next(c, next) < 0)
			return -1;
	}
	return 0;
}

/*
 * For a writer, who holds the exclusive lock: as attach_upto(), but a link
 * that leads to what is not this chain's (EBADMSG) is cut, never followed.
 */
static int attach_or_cut(struct chain *c, size_t n)
{
	if (attach_upto(c, n) == 0)
		return 0;
	if (errno != EBADMSG)
		return -1;
	header_at(c, c->attached - 1)->next_shmid = -1;
	return 0;
}

int sl_chain_attach(struct chain *c, size_t n)
{
	if (attach_upto(c, n) < 0)
		return -1;
	if (c->attached < n) {
		errno = EBADMSG;	/* shorter than its length says */
		return -1;
	}
	return 0;
}

static int create_segment(const struct chain *c)
{
	/* IPC_PRIVATE: no key another program could open or collide with. */
	return shmget(IPC_PRIVATE, c->segment_size, IPC_CREAT | IPC_EXCL | c->mode);
}

static int may_remove(int shmid);

/*
 * Unlink and remove the mapped segments from n on, the last one first.
 * IPC_RMID comes right after the unlink, before the detach, so that a
 * writer killed in between leaks nothing but in that one instant.
 *
 * An overflow segment belongs to the user whose store made it, and one
 * this process may not remove must stay linked: unlinked, it would be
 * nobody's to find. So with check_rights the walk stops at the first such
 * segment (may_remove(), one system call a segment, paid only when the
 * chain shrinks), and a refused IPC_RMID links its segment back: the chain
 * stays longer, and whole. 0 when every segment from n on is removed; -1
 * with errno when the chain stopped short.
 */
static int remove_mapped(struct chain *c, size_t n, int check_rights)
{
	int rc = 0;

	while (c->attached > n) {
		size_t last = c->attached - 1;
		int shmid = c->segs[last].shmid;

		if (check_rights && !may_remove(shmid)) {
			rc = -1;
			break;
		}
		header_at(c, last - 1)->next_shmid = -1;
		if (shmctl(shmid, IPC_RMID, NULL) < 0) {
			header_at(c, last - 1)->next_shmid = shmid;
			rc = -1;
			break;
		}
		shmdt(c->segs[last].addr);
		c->attached = last;
	}
	rehash_ids(c);
	return rc;
}

/*
 * New segments take the head's mode as it is now: its owner may have
 * changed it since the share was opened, and a segment made with the old,
 * wider mode would let in whom the owner just shut out.
 */
static int learn_head_mode(struct chain *c)
{
	struct shmid_ds ds;

	if (shmctl(c->segs[0].shmid, IPC_STAT, &ds) < 0)
		return -1;
	c->mode = ds.shm_perm.mode & SEGMENT_MODE_BITS;
	return 0;
}

int sl_chain_reserve(struct chain *c, size_t n)
{
	size_t first_created = 0;

	/* Every segment the chain already has first, so that new ones only
	 * ever go at its end, and so that one this process may not map
	 * fails the store before the old value is touched, not the trim
	 * after it. A chain mapped already costs one load here. */
	if (attach_or_cut(c, SIZE_MAX) < 0)
		return -1;
	if (c->attached < n && learn_head_mode(c) < 0)
		return -1;
	while (c->attached < n) {
		struct segment_header *tail = header_at(c, c->attached - 1);
		void *addr;
		int next;

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
		push_segment(c, next, addr);
		tail->next_shmid = next;	/* linked only once it is whole */
	}
	return 0;

fail:
	if (first_created) {
		int err = errno;

		/* Segments just made by this process: its to remove. */
		remove_mapped(c, first_created, 0);
		errno = err;
	}
	return -1;
}

int sl_chain_trim(struct chain *c, size_t n)
{
	size_t before;

	/* Map the whole tail before touching it: if a segment cannot be
	 * mapped now, the chain stays as it is, longer but whole. */
	if (attach_or_cut(c, SIZE_MAX) < 0)
		return -1;
	if (c->attached <= n)
		return 0;
	before = c->attached;
	/* Stopped at another user's segment, the chain is as short as this
	 * process may make it: the rest waits for a store by one who can. */
	remove_mapped(c, n, 1);
	if (c->attached < before)
		chain_head(c)->shm_state = ++c->shm_state;
	return 0;
}

/*
 * memcpy in pieces of at most 512 KiB. On AMD processors glibc's memcpy
 * leaves rep movsb for a vector loop at the size of the L2 cache (1 MiB on
 * Zen 5), and that loop measured 15-20% slower on a 1 MiB value here;
 * below that size this is memcpy.
 */
#define COPY_PIECE (512 * 1024)

static void copy(void *to, const void *from, size_t length)
{
	unsigned char *t = to;
	const unsigned char *f = from;

	while (length > COPY_PIECE) {
		memcpy(t, f, COPY_PIECE);
		t += COPY_PIECE;
		f += COPY_PIECE;
		length -= COPY_PIECE;
	}
	memcpy(t, f, length);
}

/*
 * Copy the value between buf and the chunks of segments 0..n-1. A read goes
 * in the order of the segments' addresses: right after a system call the
 * TLB is cold (on a kernel with PTI and no PCID), and a read that runs up
 * through adjacent pages refills it faster than one that jumps down: 1 MiB
 * in 64 KiB segments took 22.6 us instead of 24.7 here. The kernel maps
 * each new segment just below the last, so the chain's tail usually comes
 * first. Writes measured 4% slower that way, so they keep the chain order.
 */
static void copy_value(const struct chain *c, unsigned char *buf, size_t length, int to_chain)
{
	size_t n, k;
	int downwards;

	if (length == 0)
		return;		/* buf may be NULL then: memcpy must not see it */
	/* The common case first: a value in the head, copied in one piece. */
	if (length <= c->data_size && length <= COPY_PIECE) {
		unsigned char *data = c->segs[0].addr + SHARELITE_HEADER_SIZE;

		if (to_chain)
			memcpy(data, buf, length);
		else
			memcpy(buf, data, length);
		return;
	}
	n = sl_chain_segments_for(c, length);
	downwards = !to_chain && n > 2 && c->segs[n - 1].addr < c->segs[1].addr;

	for (k = 0; k < n; k++) {
		size_t i = downwards ? n - 1 - k : k;
		size_t offset = i * c->data_size;
		size_t chunk = length - offset < c->data_size ? length - offset : c->data_size;
		unsigned char *data = c->segs[i].addr + SHARELITE_HEADER_SIZE;

		if (to_chain)
			copy(data, buf + offset, chunk);
		else
			copy(buf + offset, data, chunk);
	}
}

void sl_chain_write(struct chain *c, const void *data, size_t length)
{
	copy_value(c, (unsigned char *)data, length, 1);
}

void sl_chain_read(const struct chain *c, void *buf, size_t length)
{
	copy_value(c, buf, length, 0);
}

int sl_chain_count(struct chain *c)
{
	if (attach_upto(c, SIZE_MAX) < 0)
		return -1;
	return (int)c->attached;	/* at most SHMMNI */
}

/*
 * Whether this process may remove the segment, asked without changing it;
 * if not, errno says why (EPERM: another user's).
 */
static int may_remove(int shmid)
{
	struct shmid_ds ds;

	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return 0;
	if (!sl_may_remove(&ds.shm_perm)) {
		errno = EPERM;
		return 0;
	}
	return 1;
}

int sl_chain_remove(struct chain *c)
{
	size_t i, before;
	int rc;

	/* Segments mapped before another process shrank the chain are not
	 * the chain any more: walking on from them would remove the old
	 * segments again and cut the head from the new ones, leaking them. */
	sl_chain_sync(c);
	if (attach_or_cut(c, SIZE_MAX) < 0)
		return -1;
	/* All or nothing: a segment we may not remove leaves the value whole. */
	for (i = 0; i < c->attached; i++)
		if (!may_remove(c->segs[i].shmid))
			return -1;
	before = c->attached;
	/* The value goes first: a remover killed part-way leaves an empty
	 * share, never a length that its shortened chain cannot hold. */
	chain_store(chain_head(c)->length, 0);
	rc = remove_mapped(c, 1, 0);
	if (c->attached < before)
		chain_head(c)->shm_state = ++c->shm_state;
	/* A refusal after the check above: the head still links the rest. */
	if (rc < 0)
		return -1;
	if (shmctl(c->segs[0].shmid, IPC_RMID, NULL) < 0)
		return -1;
	detach_from(c, 0);
	return 0;
}

/*
 * process.c - which process this is, asked on every lock check without a
 * system call, and right after any kind of fork: fork(), _Fork(), or the
 * bare fork and clone system calls, which run no pthread_atfork() handler.
 *
 * A handle records its lock with the token of the process that took it. A
 * child holds none of its parent's SEM_UNDO locks, and its token differs
 * from that of every ancestor whose memory it copied, so the lock records
 * it inherited are not its own.
 *
 * The token lives in a page the kernel wipes in a child (MADV_WIPEONFORK,
 * Linux 4.14): reading 0 there means "not asked since this process began".
 * Tokens then count up along a line of descent, in `lineage`, ordinary
 * memory that a child copies: a child's token is greater than any token
 * recorded before it was forked. Process ids would not do: an ancestor
 * that took a lock may have died and its pid gone to a descendant, and a
 * child in a new pid namespace may have its parent's pid.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "process.h"

static unsigned int *wiped_token;	/* NULL: no wipe-on-fork page */
static unsigned int lineage;		/* the last token made in this line */
static pthread_once_t token_set_up = PTHREAD_ONCE_INIT;

/* A second page would give this process a second token: once only. */
static void set_up_token(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = page > 0 ? (size_t)page : 4096;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
#ifdef MADV_WIPEONFORK
	if (madvise(p, size, MADV_WIPEONFORK) == 0) {
		__atomic_store_n(&wiped_token, (unsigned int *)p, __ATOMIC_RELEASE);
		return;
	}
#endif
	munmap(p, size);
}

void sl_process_token_init(void)
{
	pthread_once(&token_set_up, set_up_token);
}

/* The first ask in this process: a token greater than any in `lineage`. */
static unsigned int new_token(unsigned int *cell)
{
	unsigned int token = __atomic_add_fetch(&lineage, 1, __ATOMIC_RELAXED), seen = 0;

	if (token == 0)		/* wrapped: 0 means "none yet" */
		token = __atomic_add_fetch(&lineage, 1, __ATOMIC_RELAXED);
	/*
	 * Threads racing here agree on the first token stored. `lineage` went
	 * past it before the store (release), so a fork after any thread has
	 * read the token (acquire) and recorded a lock with it copies a
	 * `lineage` at least as great, and the child's tokens are greater.
	 */
	if (__atomic_compare_exchange_n(cell, &seen, token, 0, __ATOMIC_RELEASE,
					__ATOMIC_ACQUIRE))
		return token;
	return seen;
}

unsigned int sl_process_token(void)
{
	unsigned int *cell = __atomic_load_n(&wiped_token, __ATOMIC_ACQUIRE);
	unsigned int token;

	/*
	 * No wipe-on-fork page (a kernel before 4.14): the pid, at the cost
	 * of a system call on every check. It tells every kind of child from
	 * its parent; only a pid reused after its process died could be
	 * taken for that process. Counting forks in a pthread_atfork()
	 * handler as well would not help: _Fork() and the bare system calls
	 * run none.
	 */
	if (!cell)
		return (unsigned int)getpid();
	token = __atomic_load_n(cell, __ATOMIC_ACQUIRE);
	return token ? token : new_token(cell);
}

uint32_t sl_process_count(const uint64_t *word)
{
	uint64_t w = __atomic_load_n(word, __ATOMIC_RELAXED);

	return (uint32_t)(w >> 32) == sl_process_token() ? (uint32_t)w : 0;
}

void sl_process_count_add(uint64_t *word, int delta)
{
	uint64_t w = __atomic_load_n(word, __ATOMIC_RELAXED), next;
	uint32_t token = sl_process_token();

	do {
		uint32_t n = (uint32_t)(w >> 32) == token ? (uint32_t)w : 0;

		if (delta < 0 && n == 0)
			return;
		n += (uint32_t)delta;
		next = (uint64_t)token << 32 | n;
	} while (!__atomic_compare_exchange_n(word, &w, next, 0, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

/*
 * process.h - a number that tells this process from its ancestors and
 * descendants, for the cost of a memory read (process.c). Built into each
 * library that records which process took a lock: libsharelite and
 * libsharelite-json.
 */
#ifndef SHARELITE_PROCESS_H
#define SHARELITE_PROCESS_H

#include <stdint.h>

/* Once before the first sl_process_token(); later calls do nothing. */
void sl_process_token_init(void);
unsigned int sl_process_token(void);

/*
 * A count of this process's in a word of ordinary memory: the count in the
 * low 32 bits, the token of the process it belongs to in the high ones,
 * so that a child, which copied the word, reads 0. Relaxed atomics: what
 * counts is the order of one thread's own changes.
 */
uint32_t sl_process_count(const uint64_t *word);
/* Add delta to it; a count at 0 stays there. */
void sl_process_count_add(uint64_t *word, int delta);

#endif /* SHARELITE_PROCESS_H */

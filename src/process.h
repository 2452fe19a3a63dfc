/*
 * process.h - a number that tells this process from its ancestors and
 * descendants, for the cost of a memory read (process.c). Built into each
 * library that records which process took a lock: libsharelite and
 * libsharelite-json.
 */
#ifndef SHARELITE_PROCESS_H
#define SHARELITE_PROCESS_H

/* Once before the first sl_process_token(); later calls do nothing. */
void sl_process_token_init(void);
unsigned int sl_process_token(void);

#endif /* SHARELITE_PROCESS_H */

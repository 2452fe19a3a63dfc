/*
 * sharelite_const.h - the constants libsharelite's API takes.
 *
 * Header-only and safe to include beside <sys/file.h>: the LOCK_* values are
 * flock(2)'s, defined only where the system has not defined them already.
 */
#ifndef SHARELITE_CONST_H
#define SHARELITE_CONST_H

#include <sys/types.h>
#include <sys/ipc.h>		/* IPC_CREAT, IPC_EXCL, IPC_PRIVATE */

#define SHARELITE_VERSION_MAJOR 0
#define SHARELITE_VERSION_MINOR 1
#define SHARELITE_VERSION_PATCH 0
#define SHARELITE_VERSION_STRING "0.1.0"
/* One number that grows with every release: 0xMMmmpp. */
#define SHARELITE_VERSION_NUMBER \
	((SHARELITE_VERSION_MAJOR << 16) | (SHARELITE_VERSION_MINOR << 8) | \
	 SHARELITE_VERSION_PATCH)

/*
 * share_new() flag: open a share whose semaphore set and head segment have
 * different owners, or whose set lets others do more than the head does.
 * Without it such a share is refused (EPERM). Outside IPC_* and the mode bits.
 */
#define SHARE_ANY_OWNER 0x1000000

/*
 * share_new() flag: create the share in the native memory format, whose
 * fetches take no lock and whose stores survive a writer killed mid-way,
 * but which Perl's IPC::ShareLite cannot open (sharelite(7), "Native
 * format"). Opening an existing share needs no flag: it is found either way.
 */
#define SHARE_NATIVE 0x2000000

/*
 * The memory format a share is kept in, as share_stat() reports it in
 * struct share_info's format. IPC::ShareLite's is 0, so that the field,
 * which was a reserved one set to 0 before there was a native format,
 * reads right from those libraries too.
 */
#define SHARE_FORMAT_PERL 0	/* IPC::ShareLite 0.17's: Perl opens it too */
#define SHARE_FORMAT_NATIVE 1	/* made with SHARE_NATIVE */
#define SHARE_FORMAT_REDIS 2	/* on a Redis server, opened by share_open() */

#ifndef LOCK_SH
#define LOCK_SH 1		/* shared lock */
#endif
#ifndef LOCK_EX
#define LOCK_EX 2		/* exclusive lock */
#endif
#ifndef LOCK_NB
#define LOCK_NB 4		/* do not block when locking */
#endif
#ifndef LOCK_UN
#define LOCK_UN 8		/* release the lock */
#endif

/* Segment size used when share_new() is given 0 (IPC::ShareLite's default). */
#define SHARELITE_DEFAULT_SEGMENT_SIZE 65536
/* Every segment starts with this header; a segment must be larger. */
#define SHARELITE_HEADER_SIZE 16
/* The format stores the length of a value as an int32. */
#define SHARELITE_MAX_LENGTH 0x7fffffff

#endif /* SHARELITE_CONST_H */

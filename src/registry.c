/*
 * registry.c - the handles open in this process, so that share_clean_up()
 * and share_clean_up_all() can remove what this process made or opened, as
 * IPC::Shareable's clean_up and clean_up_all do.
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "internal.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static share_t *open_handles;

/* fork() must not copy the lock held by another thread into the child. */
void sl_registry_before_fork(void)
{
	pthread_mutex_lock(&registry_lock);
}

void sl_registry_after_fork(void)
{
	pthread_mutex_unlock(&registry_lock);
}

void sl_registry_add(share_t *share)
{
	pthread_mutex_lock(&registry_lock);
	share->prev_open = NULL;
	share->next_open = open_handles;
	if (open_handles)
		open_handles->prev_open = share;
	open_handles = share;
	pthread_mutex_unlock(&registry_lock);
}

void sl_registry_del(share_t *share)
{
	pthread_mutex_lock(&registry_lock);
	if (share->prev_open)
		share->prev_open->next_open = share->next_open;
	else
		open_handles = share->next_open;
	if (share->next_open)
		share->next_open->prev_open = share->prev_open;
	pthread_mutex_unlock(&registry_lock);
}

/*
 * Remove the shares of this process's open handles; only those it created
 * unless `all`. A handle a child inherited through fork() was opened by its
 * parent, so a child never removes its parent's shares here.
 */
static int clean_up(int all)
{
	pid_t self = getpid();
	int rc = 0, err = 0;
	share_t *s;

	pthread_mutex_lock(&registry_lock);
	for (s = open_handles; s; s = s->next_open) {
		if (s->opener != self || s->removed || !(all || s->created))
			continue;
		if (share_remove(s) == 0)
			continue;
		if (errno == EIDRM)
			s->removed = 1;	/* someone else was first */
		else if (rc == 0) {
			rc = -1;
			err = errno;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	errno = err ? err : errno;
	return rc;
}

SHARELITE_EXPORT int share_clean_up(void)
{
	return clean_up(0);
}

SHARELITE_EXPORT int share_clean_up_all(void)
{
	return clean_up(1);
}

/*
 * registry.c - the handles open in this process, so that share_clean_up()
 * and share_clean_up_all() can remove what this process made or opened, as
 * IPC::Shareable's clean_up and clean_up_all do.
 *
 * The registry's mutex guards the list and is held only to change or step
 * through it, never while waiting for a share's lock: fork() takes it in
 * its prepare handler, and would wait as long.
 */
#include <errno.h>
#include <pthread.h>

#include "internal.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
/* Broadcast when a clean-up lets go of a handle (share->busy). */
static pthread_cond_t handle_let_go = PTHREAD_COND_INITIALIZER;
static share_t *open_handles;

/* fork() must not copy the mutex into the child held by another thread. */
static void sl_registry_before_fork(void)
{
	pthread_mutex_lock(&registry_lock);
}

static void registry_parent_after_fork(void)
{
	pthread_mutex_unlock(&registry_lock);
}

static void unlink_handle(share_t *share)
{
	if (share->prev_open)
		share->prev_open->next_open = share->next_open;
	else
		open_handles = share->next_open;
	if (share->next_open)
		share->next_open->prev_open = share->prev_open;
}

/*
 * The clean-ups under way in the parent ran in other threads, which the
 * child has not: nothing of theirs is pinned or waited for here. A handle
 * the parent closed while one of them held it is no handle of the child:
 * only its memory and mappings are let go.
 */
static void registry_child_after_fork(void)
{
	share_t *s, *next;

	for (s = open_handles; s; s = next) {
		next = s->next_open;
		s->pins = s->busy = 0;
		if (s->closing) {
			unlink_handle(s);
			sl_handle_free(s);
		}
	}
	pthread_cond_init(&handle_let_go, NULL);
	pthread_mutex_unlock(&registry_lock);
}

void sl_registry_install_fork_handlers(void)
{
	pthread_atfork(sl_registry_before_fork, registry_parent_after_fork,
		       registry_child_after_fork);
}

void sl_registry_add(share_t *share)
{
	pthread_mutex_lock(&registry_lock);
	share->pins = share->busy = share->closing = 0;
	share->prev_open = NULL;
	share->next_open = open_handles;
	if (open_handles)
		open_handles->prev_open = share;
	open_handles = share;
	pthread_mutex_unlock(&registry_lock);
}

/*
 * Forget the handle, unless a clean-up holds it: then it is marked closing
 * (1), and the last clean-up to let go of it closes it. Waiting for that
 * clean-up instead would deadlock when it waits for a lock that the
 * closing thread holds through another handle.
 */
int sl_registry_del(share_t *share)
{
	int pinned;

	pthread_mutex_lock(&registry_lock);
	pinned = share->pins > 0;
	if (pinned)
		share->closing = 1;
	else
		unlink_handle(share);
	pthread_mutex_unlock(&registry_lock);
	return pinned;
}

/*
 * Whether a handle of this process other than share, on the same share,
 * holds a lock that this thread took: removing through share would wait
 * for that lock, which this thread gives back only once the removal
 * returns. A lock another thread took is that thread's to give back, and
 * the removal waits for it as for another process's. Called with the
 * mutex held; a handle belongs to one thread at a time.
 */
static int lock_held_elsewhere(const share_t *share)
{
	const share_t *t;

	for (t = open_handles; t; t = t->next_open)
		if (t != share && !share_removed(t) && share_same_share(t, share) &&
		    share_held_lock(t) && pthread_equal(share_lock_thread(t), pthread_self()))
			return 1;
	return 0;
}

int sl_registry_lock_held_elsewhere(const share_t *share)
{
	int held;

	pthread_mutex_lock(&registry_lock);
	held = lock_held_elsewhere(share);
	pthread_mutex_unlock(&registry_lock);
	return held;
}

/*
 * Remove a handle's share with the mutex let go, since that waits for the
 * share's lock (unless another handle of this process holds it: then
 * share_remove() fails with EDEADLK); 0 or an errno. Called and returns
 * with the mutex held; the caller has pinned the handle, so it stays in
 * the list meanwhile.
 */
static int remove_unlocked(share_t *s)
{
	int err = 0;

	while (s->busy)		/* another clean-up is removing it */
		pthread_cond_wait(&handle_let_go, &registry_lock);
	if (share_removed(s) || s->closing)
		return 0;	/* done, or closed after the other tried */
	s->busy = 1;
	pthread_mutex_unlock(&registry_lock);
	if (share_remove(s) < 0)
		err = errno;
	if (err == EIDRM) {
		share_mark_removed(s);	/* someone else was first */
		err = 0;
	}
	pthread_mutex_lock(&registry_lock);
	s->busy = 0;
	return err;
}

/*
 * Remove the shares of this process's open handles; only those it created
 * unless `all`. A handle a child inherited through fork() was opened by its
 * parent, so a child never removes its parent's shares here.
 *
 * Handles that hold a lock go first: a share is removed through the handle
 * that holds its lock, since through any other the removal would wait for
 * this process itself (EDEADLK). Its other handles then find it removed.
 */
static int clean_up(int all)
{
	unsigned int self = sl_process_token();
	int rc = 0, err = 0, locked_pass;
	share_t *s, *next, *to_close = NULL;

	pthread_mutex_lock(&registry_lock);
	for (locked_pass = 1; locked_pass >= 0; locked_pass--) {
		for (s = open_handles; s; s = next) {
			int e;

			if (s->opener != self || !(all || s->created) || s->closing ||
			    (share_held_lock(s) != 0) != locked_pass) {
				next = s->next_open;
				continue;
			}
			/* Pinned, s stays in the list, and next_open leads on
			 * from it to the handles still open, whatever was
			 * closed meanwhile. */
			s->pins++;
			e = remove_unlocked(s);
			if (e && rc == 0) {
				rc = -1;
				err = e;
			}
			s->pins--;
			next = s->next_open;
			if (!s->pins && s->closing) {
				/* Closed meanwhile: ours to close, once the
				 * mutex is let go (closing may wait). */
				unlink_handle(s);
				s->next_open = to_close;
				to_close = s;
			}
			pthread_cond_broadcast(&handle_let_go);
		}
	}
	pthread_mutex_unlock(&registry_lock);
	for (s = to_close; s; s = next) {
		next = s->next_open;
		sl_handle_finish_close(s);
	}
	if (rc < 0)
		errno = err;
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

/*
 * harness.c - the test harness: the registry of what a test made, the
 * teardown that removes it, children and their channels, and the checks
 * every test program shares. What is particular to a memory format is
 * asked of its oracle (struct test_format), never done here.
 */
#include <linux/sched.h>	/* CLONE_NEWIPC, without _GNU_SOURCE */
#include <poll.h>
#include <sys/syscall.h>

#include "harness.h"

static const struct test_format *const formats[] = { &test_format_ipcsl, &test_format_native };

const struct test_format *test_format(void)
{
	static const struct test_format *chosen;
	const char *name = getenv("SHARELITE_TEST_FORMAT");

	if (chosen)
		return chosen;
	if (!name || !*name)
		name = "ipcsl";
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return chosen = formats[i];
	fprintf(stderr, "SHARELITE_TEST_FORMAT=%s: no such format\n", name);
	exit(99);
}

/*
 * What a test made, for the teardown to remove. A slot is free again once
 * there is nothing left in it to remove: a child reaped, a share closed
 * whose objects are gone.
 */
#define MAX_KEYS 64
#define MAX_SHARES 64
#define MAX_CHILDREN 256
static struct {
	key_t keys[MAX_KEYS];
	int nkeys;
	struct {
		int used;
		share_t *s;	/* NULL once test_close()d */
		struct test_ids ids;
	} shares[MAX_SHARES];
	struct {
		pid_t pid;	/* 0 once forgotten */
		int fds[2];	/* this side's ends of its channel, or -1 */
	} children[MAX_CHILDREN];
} made;

key_t test_key(unsigned n)
{
	return (key_t)(0x50000000u | (((unsigned)getpid() & 0xfffffu) << 8) | (n & 0xffu));
}

void test_remove_key(key_t key)
{
	test_format()->remove_key(key);
}

key_t test_use_key(unsigned n)
{
	key_t key = test_key(n);

	test_remove_key(key);
	for (int i = 0; i < made.nkeys; i++)
		if (made.keys[i] == key)
			return key;
	assert_true(made.nkeys < MAX_KEYS);
	made.keys[made.nkeys++] = key;
	return key;
}

static int share_in_use(int slot)
{
	return made.shares[slot].used &&
	       (made.shares[slot].s || !test_share_gone(&made.shares[slot].ids));
}

/* A slot for a share, checked for before the share is made. */
static int share_slot(void)
{
	int slot = 0;

	while (slot < MAX_SHARES && share_in_use(slot))
		slot++;
	assert_true(slot < MAX_SHARES);
	return slot;
}

static void adopt(int slot, share_t *s, const struct test_ids *ids)
{
	made.shares[slot].used = 1;
	made.shares[slot].s = s;
	made.shares[slot].ids = *ids;
}

void test_adopt_ids(const struct test_ids *ids)
{
	adopt(share_slot(), NULL, ids);
}

/* Where s lives, or the ids of nothing if share_stat() fails. */
static struct test_ids ids_if_known(share_t *s)
{
	struct share_info info;
	struct test_ids ids = { share_key(s), -1, -1 };

	if (share_stat(s, &info) == 0) {
		ids.shmid = info.shmid;
		ids.semid = info.semid;
	}
	return ids;
}

void test_adopt(share_t *s)
{
	struct test_ids ids = ids_if_known(s);

	adopt(share_slot(), s, &ids);
}

share_t *test_open(key_t key, size_t segment_size, int flags)
{
	int slot = share_slot();
	share_t *s = test_format()->open(key, segment_size, flags);
	struct test_ids ids;

	if (!s)
		fail_msg("share_new(%#x, %zu, %#o): %s", (unsigned)key, segment_size,
			 (unsigned)flags, strerror(errno));
	ids = ids_if_known(s);
	adopt(slot, s, &ids);
	return s;
}

share_t *test_private(size_t segment_size)
{
	share_t *s = test_open(IPC_PRIVATE, segment_size, IPC_CREAT);

	share_set_destroy(s, 1);
	return s;
}

int test_close(share_t *s)
{
	for (int i = 0; i < MAX_SHARES; i++)
		if (made.shares[i].used && made.shares[i].s == s)
			made.shares[i].s = NULL;
	return share_close(s);
}

struct share_info test_info(share_t *s)
{
	struct share_info info;

	assert_int_equal(share_stat(s, &info), 0);
	return info;
}

struct test_ids test_ids(share_t *s)
{
	struct share_info info = test_info(s);
	struct test_ids ids = { info.key, info.shmid, info.semid };

	return ids;
}

int test_share_gone(const struct test_ids *ids)
{
	return test_format()->gone(ids);
}

int test_key_gone(key_t key)
{
	return test_format()->key_gone(key);
}

void test_assert_locks(share_t *s, int readers, int writer)
{
	struct share_info info = test_info(s);
	struct test_ids ids = { info.key, info.shmid, info.semid };
	int sys_readers, sys_writer;

	assert_int_equal(info.readers, readers);
	assert_int_equal(info.writer, writer);
	assert_int_equal(test_format()->locks(&ids, &sys_readers, &sys_writer), 0);
	assert_int_equal(sys_readers, readers);
	assert_int_equal(sys_writer, writer);
}

int test_waiters(share_t *s)
{
	struct test_ids ids = test_ids(s);

	return test_format()->waiters(&ids);
}

size_t test_segment_size(key_t key, size_t asked)
{
	return test_format()->segment_size(key, asked);
}

int test_segments(share_t *s, size_t length, size_t previous)
{
	return test_format()->segments(share_key(s), share_segment_size(s), length, previous);
}

int test_writers_waiting(int n)
{
	return test_format()->counts_waiting_writers ? n : -1;
}

void test_assert_removed(share_t *s)
{
	struct share_info info;
	char buf[4];
	void *data = buf;

	assert_fails(share_remove(s), -1, EIDRM);
	assert_fails(share_store(s, "x", 1), -1, EIDRM);
	assert_fails(share_fetch(s, &data), -1, EIDRM);
	assert_null(data);
	assert_fails(share_fetch_into(s, buf, sizeof(buf)), -1, EIDRM);
	assert_fails(share_lock(s, LOCK_SH), -1, EIDRM);
	assert_fails(share_lock(s, LOCK_EX | LOCK_NB), -1, EIDRM);
	assert_fails(share_unlock(s), -1, EIDRM);
	assert_fails(share_version(s), 0u, EIDRM);
	assert_fails(share_num_segments(s), -1, EIDRM);
	assert_fails(share_stat(s, &info), -1, EIDRM);
}

char *test_fetch(share_t *s)
{
	void *data = NULL;

	if (share_fetch(s, &data) < 0)
		fail_msg("share_fetch: %s", strerror(errno));
	return (char *)data;
}

void test_assert_value(share_t *s, const char *want)
{
	char *got = test_fetch(s);

	assert_string_equal(got, want);
	free(got);
}

void test_assert_fetches(share_t *s, const void *want, size_t n)
{
	void *got = NULL;

	assert_int_equal(share_fetch(s, &got), (ssize_t)n);
	assert_non_null(got);
	assert_memory_equal(got, want, n);
	assert_int_equal(((char *)got)[n], '\0');
	free(got);
}

void test_fill(unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(((uint32_t)i * 2654435761u + seed * 40503u) >> 24);
}

size_t test_value_length(uint32_t seed, size_t max)
{
	return 4 + (seed * 2654435761u) % (max - 3);
}

/* The bytes after the seed: a xorshift stream started from it. */
static unsigned char value_byte(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return (unsigned char)*x;
}

void test_value_fill(unsigned char *buf, uint32_t seed, size_t length)
{
	uint32_t x = seed | 1;

	memcpy(buf, &seed, 4);
	for (size_t i = 4; i < length; i++)
		buf[i] = value_byte(&x);
}

int test_value_ok(const unsigned char *buf, size_t length, size_t max)
{
	uint32_t seed, x;

	if (length < 4)
		return 0;
	memcpy(&seed, buf, 4);
	if (length != test_value_length(seed, max))
		return 0;
	x = seed | 1;
	for (size_t i = 4; i < length; i++)
		if (buf[i] != value_byte(&x))
			return 0;
	return 1;
}

void test_child_failed(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: in child %d: check failed: %s (errno %d: %s)\n",
		file, line, (int)getpid(), what, errno, strerror(errno));
	_exit(1);
}

int test_send(const struct test_chan *c, char msg)
{
	return write(c->wr, &msg, 1) == 1 ? 0 : -1;
}

int test_recv(const struct test_chan *c)
{
	unsigned char msg;
	ssize_t n;

	do
		n = read(c->rd, &msg, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? msg : -1;
}

/* Whether a registered child is still ours to reap: running, or a zombie. */
static int child_unreaped(pid_t pid)
{
	siginfo_t si;

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* Forget a child, closing this side of its channel. */
static void forget_child(int slot)
{
	for (int i = 0; i < 2; i++)
		if (made.children[slot].fds[i] >= 0)
			close(made.children[slot].fds[i]);
	made.children[slot].pid = 0;
}

/*
 * A free slot for a child: an unused one, or else one whose child the
 * test reaped itself with waitpid() and that has no channel left to close.
 */
static int child_slot(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (made.children[i].pid == 0)
			return i;
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (made.children[i].fds[0] < 0 && !child_unreaped(made.children[i].pid))
			return i;
	fail_msg("more than %d children at once", MAX_CHILDREN);
	return -1;
}

pid_t test_fork_by(pid_t (*forker)(void), struct test_chan *c)
{
	pid_t parent = getpid(), pid;
	int slot = child_slot(), up[2], down[2];

	if (c) {
		assert_int_equal(pipe(up), 0);
		assert_int_equal(pipe(down), 0);
	}
	fflush(NULL);
	pid = forker();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(1);
		/* The parent's children and channels are not this one's. */
		memset(made.children, 0, sizeof(made.children));
		if (c) {
			close(up[0]);
			close(down[1]);
			c->rd = down[0];
			c->wr = up[1];
		}
		return 0;
	}
	made.children[slot].pid = pid;
	made.children[slot].fds[0] = -1;
	made.children[slot].fds[1] = -1;
	if (c) {
		close(up[1]);
		close(down[0]);
		c->rd = made.children[slot].fds[0] = up[0];
		c->wr = made.children[slot].fds[1] = down[1];
	}
	return pid;
}

pid_t test_fork(struct test_chan *c)
{
	return test_fork_by(fork, c);
}

int test_wait(pid_t pid)
{
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (made.children[i].pid == pid)
			forget_child(i);
	if (got != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int test_child_waits(const struct test_chan *c, share_t *s)
{
	struct test_ids ids = test_ids(s);

	for (;;) {
		struct pollfd p;

		p.fd = c->rd;
		p.events = POLLIN;
		p.revents = 0;

		if (test_format()->waiters(&ids) > 0)
			return 1;
		if (poll(&p, 1, 5) > 0)
			return 0;
	}
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) == 0 ? rc : -1;
}

int test_private_ipc(void)
{
	char uid_map[64], gid_map[64];

	if (syscall(SYS_unshare, CLONE_NEWIPC) == 0)
		return 0;
	/* Our own ids mapped to themselves: without a mapping IPC_SET fails,
	 * as the ids it would write back mean nothing in the namespace. */
	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
	if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWIPC) < 0)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") < 0 ||
	    write_file("/proc/self/uid_map", uid_map) < 0 ||
	    write_file("/proc/self/gid_map", gid_map) < 0)
		return -1;
	return 0;
}

static void watchdog(int sig)
{
	(void)sig;
	fail_msg("still running after %d s: stuck", TEST_WATCHDOG_SECONDS);
}

int test_setup(void **state)
{
	struct sigaction sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog;
	sa.sa_flags = SA_NODEFER;	/* it leaves by longjmp */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a dead child's pipe: EPIPE */
	alarm(TEST_WATCHDOG_SECONDS);
	return 0;
}

int test_teardown(void **state)
{
	const struct test_format *format = test_format();

	(void)state;
	alarm(0);
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (made.children[i].pid <= 0)
			continue;
		if (child_unreaped(made.children[i].pid)) {
			kill(made.children[i].pid, SIGKILL);
			waitpid(made.children[i].pid, NULL, 0);
		}
		forget_child(i);
	}
	for (int i = 0; i < MAX_SHARES; i++) {
		if (!share_in_use(i))
			continue;
		/* Directly, as test_remove_key() does. An id is not reused
		 * until the kernel has handed out 64K others: these are still
		 * the test's. */
		format->remove(&made.shares[i].ids);
		if (made.shares[i].s)
			share_close(made.shares[i].s);	/* EIDRM: frees it */
	}
	for (int i = 0; i < made.nkeys; i++)
		format->remove_key(made.keys[i]);
	memset(&made, 0, sizeof(made));
	return 0;
}

int test_teardown_sweep(void **state)
{
	test_teardown(state);
	for (unsigned n = 0; n < 16; n++)
		test_remove_key(test_key(n));
	test_format()->sweep();
	return 0;
}

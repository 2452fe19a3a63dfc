/*
 * server.c - the tests' own redis-server (server.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "server.h"

#define START_WAIT_MS 10000

static int on_path(const char *program)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int found = 0;

	if (!path || !(copy = strdup(path)))
		return 0;
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char file[4096];

		snprintf(file, sizeof(file), "%s/%s", dir, program);
		found = access(file, X_OK) == 0;
	}
	free(copy);
	return found;
}

int test_redis_installed(void)
{
	return on_path("redis-server");
}

/* A port no one listens on now: the kernel's pick for port 0. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One line from fd, without its CR LF, cut to size. */
static int read_line(int fd, char *line, size_t size)
{
	size_t got = 0;

	while (got + 1 < size) {
		ssize_t r = read(fd, line + got, 1);

		if (r <= 0)
			return -1;
		if (line[got] == '\n')
			break;
		got++;
	}
	if (got > 0 && line[got - 1] == '\r')
		got--;
	line[got] = '\0';
	return 0;
}

/* A command in the protocol's form, into buf: its length, or 0 when it
 * does not fit. */
static size_t format_command(char *buf, size_t size, int argc, const char *const *argv)
{
	size_t n = 0;
	int i;

	n += (size_t)snprintf(buf + n, size - n, "*%d\r\n", argc);
	for (i = 0; i < argc && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "$%zu\r\n%s\r\n",
				      strlen(argv[i]), argv[i]);
	return n < size ? n : 0;
}

static int command_on(int port, char *reply, size_t size, int argc, const char *const *argv)
{
	char buf[4096];
	size_t n = format_command(buf, sizeof(buf), argc, argv);
	int fd;

	if (n == 0 || size == 0)
		return -1;
	fd = connect_to(port);
	if (fd < 0)
		return -1;
	if (write(fd, buf, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	/* The first line of the reply is all a test reads, or of a bulk
	 * string's text ("cluster_state:ok" of CLUSTER INFO). */
	if (read_line(fd, reply, size) < 0 ||
	    (reply[0] == '$' && reply[1] != '-' && read_line(fd, reply, size) < 0)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int test_redis_cmd(const struct test_redis *r, char *reply, size_t size, int argc,
		   const char *const *argv)
{
	return command_on(r->port, reply, size, argc, argv);
}

int test_redis_abandon_multi(const struct test_redis *r, int argc, const char *const *argv)
{
	static const char multi[] = "*1\r\n$5\r\nMULTI\r\n";
	char buf[4096], ok[64], queued[64];
	size_t n = format_command(buf, sizeof(buf), argc, argv);
	int fd, rc = -1;

	if (n == 0)
		return -1;
	fd = connect_to(r->port);
	if (fd < 0)
		return -1;
	if (write(fd, multi, sizeof(multi) - 1) == (ssize_t)(sizeof(multi) - 1) &&
	    write(fd, buf, n) == (ssize_t)n && read_line(fd, ok, sizeof(ok)) == 0 &&
	    read_line(fd, queued, sizeof(queued)) == 0 &&
	    strcmp(ok, "+OK") == 0 && strcmp(queued, "+QUEUED") == 0)
		rc = 0;
	close(fd);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static int start(struct test_redis *r, int port, int cluster)
{
	char port_s[16], bus_s[16], log[128];
	static const char *const ping[] = { "PING" };
	int waited;

	if (!r->dir[0]) {
		strcpy(r->dir, "/tmp/sharelite-redis-XXXXXX");
		if (!mkdtemp(r->dir)) {
			r->dir[0] = '\0';
			return -1;
		}
	}
	r->port = port ? port : free_port();
	if (r->port < 0)
		return -1;
	snprintf(port_s, sizeof(port_s), "%d", r->port);
	/* The cluster bus on a free port of its own too: by default it is
	 * the port + 10000, which may be taken or past 65535. */
	snprintf(bus_s, sizeof(bus_s), "%d", cluster ? free_port() : 0);
	snprintf(log, sizeof(log), "%s/redis.log", r->dir);
	r->pid = fork();
	if (r->pid < 0) {
		r->pid = 0;
		return -1;
	}
	if (r->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		/* Never outlive the test program. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (cluster)
			execlp("redis-server", "redis-server", "--port", port_s,
			       "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			       "--dir", r->dir, "--daemonize", "no",
			       "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			       "--cluster-port", bus_s, (char *)NULL);
		else
			execlp("redis-server", "redis-server", "--port", port_s,
			       "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			       "--dir", r->dir, "--daemonize", "no", (char *)NULL);
		_exit(127);
	}
	for (waited = 0; waited < START_WAIT_MS; waited += 10) {
		char reply[64];

		if (command_on(r->port, reply, sizeof(reply), 1, ping) == 0 &&
		    strcmp(reply, "+PONG") == 0)
			return 0;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid) {
			r->pid = 0;	/* it died: the port was taken? */
			return -1;
		}
		sleep_ms(10);
	}
	test_redis_kill(r);
	return -1;
}

int test_redis_start(struct test_redis *r, int port)
{
	return start(r, port, 0);
}

void test_redis_kill(struct test_redis *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
}

void test_redis_stop(struct test_redis *r)
{
	test_redis_kill(r);
	if (r->dir[0]) {
		/* What the server wrote there: its log, a cluster's nodes.conf. */
		DIR *d = opendir(r->dir);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		if (d)
			closedir(d);
		rmdir(r->dir);
		r->dir[0] = '\0';
	}
}

const char *test_redis_url(const struct test_redis *r, const char *path)
{
	static char url[512];

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/%s", r->port, path);
	return url;
}

int test_redis_subscribe(const struct test_redis *r, const char *channel)
{
	char buf[512];
	size_t got = 0;
	int fd = connect_to(r->port), n;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "*2\r\n$9\r\nSUBSCRIBE\r\n$%zu\r\n%s\r\n",
		     strlen(channel), channel);
	if (n < 0 || (size_t)n >= sizeof(buf) || write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	/* The confirmation ends with the count of subscriptions, ":1". */
	while (got + 1 < sizeof(buf)) {
		ssize_t k = read(fd, buf + got, 1);

		if (k <= 0) {
			close(fd);
			return -1;
		}
		got++;
		buf[got] = '\0';
		if (got >= 4 && strcmp(buf + got - 4, ":1\r\n") == 0)
			return fd;
	}
	close(fd);
	return -1;
}

int test_redis_heard(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[512];

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	/* Take what came, so that the next call waits for a new message. */
	if (read(fd, buf, sizeof(buf)) <= 0)
		return 0;
	return 1;
}

int test_redis_cluster_installed(void)
{
	return on_path("redis-server") && on_path("redis-cli");
}

/* redis-cli --cluster create of the nodes, three masters, no replicas:
 * 0, or -1 if it fails or takes more than START_WAIT_MS. */
static int cluster_create(struct test_redis node[TEST_CLUSTER_NODES])
{
	char addr[TEST_CLUSTER_NODES][32], log[128];
	pid_t pid;
	int i, status, waited;

	for (i = 0; i < TEST_CLUSTER_NODES; i++)
		snprintf(addr[i], sizeof(addr[i]), "127.0.0.1:%d", node[i].port);
	snprintf(log, sizeof(log), "%s/redis.log", node[0].dir);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("redis-cli", "redis-cli", "--cluster", "create", addr[0], addr[1],
		      addr[2], "--cluster-replicas", "0", "--cluster-yes", (char *)NULL);
		_exit(127);
	}
	for (waited = 0; waited < START_WAIT_MS; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

int test_redis_cluster_start(struct test_redis node[TEST_CLUSTER_NODES])
{
	static const char *const info[] = { "CLUSTER", "INFO" };
	int i, waited, ok = 0;

	for (i = 0; i < TEST_CLUSTER_NODES; i++)
		if (start(&node[i], 0, 1) < 0)
			goto fail;
	if (cluster_create(node) < 0)
		goto fail;
	/* Every node must know every slot's owner before a test runs. */
	for (waited = 0; waited < START_WAIT_MS && ok < TEST_CLUSTER_NODES; waited += 10) {
		for (ok = 0; ok < TEST_CLUSTER_NODES; ok++) {
			char reply[64];

			if (command_on(node[ok].port, reply, sizeof(reply), 2, info) < 0 ||
			    strcmp(reply, "cluster_state:ok") != 0)
				break;
		}
		if (ok < TEST_CLUSTER_NODES)
			sleep_ms(10);
	}
	if (ok == TEST_CLUSTER_NODES)
		return 0;
fail:
	test_redis_cluster_stop(node);
	return -1;
}

void test_redis_cluster_stop(struct test_redis node[TEST_CLUSTER_NODES])
{
	int i;

	for (i = 0; i < TEST_CLUSTER_NODES; i++)
		test_redis_stop(&node[i]);
}

# Example programs: built by make, so they keep compiling with the API.
noinst_PROGRAMS += examples/anonymous_fork
examples_anonymous_fork_LDADD = src/libsharelite.la

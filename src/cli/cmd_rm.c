/*
 * cmd_rm.c - sharelite rm KEY...: remove each share, its whole chain and
 * its semaphore set. A key that is not a share is left alone and reported;
 * the other keys are still removed.
 */
#include <unistd.h>

#include "cli.h"

static int remove_one(const struct keyarg *k)
{
	share_t *share = open_or_report(k, "rm");
	int rc = 0;

	if (!share)
		return -1;
	if (share_remove(share) < 0) {
		report_key_error(k, "rm");
		rc = -1;
	}
	share_close(share);
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	struct keyarg k;
	int i, rc = options_none(argc, argv);

	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return usage_error(argv[0], "missing KEY");
	/* A typo in one key must not leave the command half done. */
	for (i = optind; i < argc; i++)
		if (keyarg_parse(argv[i], &k) < 0)
			return EXIT_USAGE;
	rc = EXIT_OK;
	for (i = optind; i < argc; i++) {
		keyarg_parse(argv[i], &k);
		if (remove_one(&k) < 0)
			rc = EXIT_RUNTIME;
	}
	return rc;
}

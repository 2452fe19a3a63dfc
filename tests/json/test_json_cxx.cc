// The header works from C++: a value goes in and comes back equal.
// Exits 0 when it does, 1 when it does not.
#include <cstdio>
#include <sharelite_json.h>

int main()
{
	share_t *share = share_new(IPC_PRIVATE, 0, IPC_CREAT);
	if (!share) {
		std::perror("share_new");
		return 99;
	}
	share_set_destroy(share, 1);
	share_json_t *sj = share_json_open(share);
	json_t *want = json_pack("{s:[i,s,b]}", "list", 1, "two", 1);
	json_t *got = NULL;
	bool ok = sj && want && share_json_set(sj, want) == 0 &&
		  share_json_object_set_new(sj, "more", json_null()) == 0 &&
		  json_object_set_new(want, "more", json_null()) == 0 &&
		  (got = share_json_get(sj)) != NULL && json_equal(got, want);
	json_decref(got);
	json_decref(want);
	if (sj && share_json_close(sj) < 0)
		ok = false;
	if (share_close(share) < 0)
		ok = false;
	if (!ok)
		std::fprintf(stderr, "JSON round trip from C++ failed\n");
	return ok ? 0 : 1;
}

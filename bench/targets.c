/*
 * targets.c - which targets a native row is held to, and their cells.
 */
#include <stdio.h>

#include "targets.h"

#define SMALLEST 16			/* the targets hold from 16 B */
#define LARGEST (16u << 20)		/* to 16 MiB */
/* At 16 B, against LMDB: store, fetch. */
#define SMALL_STORE_VS_LMDB 5.0
#define SMALL_FETCH_VS_LMDB 3.0
/* fetch_into at 16 B, against the bare seqlock copy. */
#define SMALL_FETCH_INTO_VS_FLOOR 0.5
/* Every size, store and fetch against their native floor. */
#define VS_FLOOR 0.8

int native_op_targets(size_t size, enum value_op op, double lmdb, const char *lmdb_absent,
		      double floor, struct target t[TARGETS_MAX])
{
	const struct target vs_lmdb = { "LMDB", 1.0, lmdb, lmdb_absent };
	const struct target vs_floor = { "floor", VS_FLOOR, floor, NULL };

	if (size < SMALLEST || size > LARGEST)
		return 0;
	switch (op) {
	case OP_STORE:
	case OP_FETCH:
		t[0] = vs_lmdb;
		if (size == SMALLEST)
			t[0].want = op == OP_STORE ? SMALL_STORE_VS_LMDB : SMALL_FETCH_VS_LMDB;
		t[1] = vs_floor;
		return 2;
	case OP_FETCH_INTO:
		if (size != SMALLEST)
			return 0;
		t[0] = vs_floor;
		t[0].want = SMALL_FETCH_INTO_VS_FLOOR;
		return 1;
	default:
		return 0;
	}
}

void targets_print(const struct target *t, int n, double rate)
{
	int i;

	for (i = 0; i < n; i++) {
		printf("%s>=%g %s: ", i ? "; " : " ", t[i].want, t[i].against);
		if (t[i].reference <= 0) {
			printf("%s", t[i].absent ? t[i].absent : "not measured");
			continue;
		}
		printf("%s %.2f", rate >= t[i].want * t[i].reference ? "PASS" : "MISS",
		       rate / t[i].reference);
	}
	if (n == 0)
		printf(" -");
}

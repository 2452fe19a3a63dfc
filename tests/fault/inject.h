/*
 * inject.h - make the n-th system call or allocation of the library fail,
 * as jansson's test_chaos does for malloc. The test binary is linked with
 * -Wl,--wrap for each call below, so only calls from this program (and the
 * library sources built into it) pass through here.
 */
#ifndef SHARELITE_INJECT_H
#define SHARELITE_INJECT_H

/* Fail the n-th call from now (n >= 1); 0 disarms. */
void inject_arm(long n);
void inject_disarm(void);
/* Whether the armed failure happened. */
int inject_fired(void);
/* Make semop() fail with EINTR (a signal) instead of a lack of resources. */
void inject_eintr(int on);
/* How many semop() and semtimedop() calls this process has made. */
long inject_semop_calls(void);
/* How many of the SysV objects this program created still exist. */
int inject_live_objects(void);

#endif /* SHARELITE_INJECT_H */

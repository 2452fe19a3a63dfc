/*
 * rights.h - whether this process may remove a SysV object, asked without
 * changing anything about it.
 */
#ifndef SHARELITE_RIGHTS_H
#define SHARELITE_RIGHTS_H

#include <sys/ipc.h>

/*
 * Whether IPC_RMID of the object whose IPC_STAT gave perm would be allowed:
 * the kernel lets its owner, its creator or a holder of CAP_SYS_ADMIN
 * remove it. 1 or 0.
 */
int sl_may_remove(const struct ipc_perm *perm);

#endif /* SHARELITE_RIGHTS_H */

/*
 * rights.c - the right to remove a SysV object, read from its permissions
 * and this process's credentials. Trying IPC_SET with what IPC_STAT gave
 * would ask the kernel the same question, but it writes the permissions
 * back, and so undoes a chmod another process made in between.
 */
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rights.h"

/*
 * CAP_SYS_ADMIN in this process's effective set. The kernel asks for it
 * in the user namespace that owns the IPC namespace, which is ours unless
 * the process entered a new user namespace alone; there it may say yes
 * where the kernel says no, and the IPC_RMID that follows fails as any
 * refusal does.
 */
static int has_sys_admin(void)
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &header, data) < 0)
		return 0;
	return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

int sl_may_remove(const struct ipc_perm *perm)
{
	uid_t euid = geteuid();

	return perm->uid == euid || perm->cuid == euid || has_sys_admin();
}

/* Error values returned (negated) in RAX. Numbers are Xen's public errno ABI. */
#ifndef MICA_PUBLIC_ERRNO_H
#define MICA_PUBLIC_ERRNO_H

#define XEN_EPERM   1   /* caller lacks the privilege for this call */
#define XEN_ENOENT  2
#define XEN_ESRCH   3   /* no such domain */
#define XEN_EAGAIN 11
#define XEN_ENOMEM 12
#define XEN_EACCES 13   /* wrong interface version (domctl, sysctl); set_priority of a free port */
#define XEN_EFAULT 14   /* a guest pointer could not be read or written */
#define XEN_EBUSY  16
#define XEN_EEXIST 17
#define XEN_EINVAL 22   /* an argument is out of range */
#define XEN_ENOSPC 28
#define XEN_ENOSYS 38   /* unknown hypercall or sub-operation */
#define XEN_ETIME  62   /* a timeout that is already in the past */
#define XEN_EOVERFLOW 75    /* pausedomain: the pause count is at its limit */
#define XEN_EOPNOTSUPP 95   /* a documented sub-case Mica does not implement (MSI);
                               expand_array before init_control */

#endif

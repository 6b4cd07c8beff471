/* domctl's console-attach sub-op (hv/domctl_console.c), in domctl.c's table. */
#ifndef HV_DOMCTL_CONSOLE_H
#define HV_DOMCTL_CONSOLE_H

#include "hv/types.h"

struct vcpu;
struct domain;
struct mica_domctl;

long domctl_console(struct vcpu *v, gvaddr_t arg, struct domain *d, struct mica_domctl *op);

#endif

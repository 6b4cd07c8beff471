/*
 * `console <domain>` (docs/toolstack.md): what is typed on the serial
 * console goes to a domU's console ring until Ctrl-] is typed or the
 * domain ends, as `xl console` does. The hypervisor routes the input and
 * sees the detach key itself (MICA_DOMCTL_CONSOLE), so the shell only
 * attaches and then sleeps until the input is back: the hypervisor raises
 * VIRQ_CONSOLE when it detaches, VIRQ_DOM_EXC when a domain ends, and
 * either wakes the wait. The domain's output appears as before, a line
 * at a time behind its name.
 */
#include <stdint.h>

#include "console.h"
#include "control.h"
#include "lib.h"
#include "timer.h"
#include "toolstack.h"

/* A backstop only: the events above end the wait. */
#define LOOK_NS (1000ull * 1000000ull)

static bool detached(void *arg)
{
    struct mica_domctl_console c;
    domid_t id = *(domid_t *)arg;

    /* An error (the domain is gone) counts as detached: the input is dom0's. */
    return domctl_console(id, MICA_CONSOLE_GETINFO, &c) || !c.attached;
}

int cmd_console(const struct shell_args *a)
{
    struct mica_domctl_getdomaininfo i;
    domid_t id;

    if (a->argc != 1) {
        printk("console: usage: console <domain>   (Ctrl-] returns to the shell)\n");
        return -1;
    }
    if (!toolstack_find_domain(a->argv[0], &id, &i)) {
        printk("console: no domain '%s'\n", a->argv[0]);
        return -1;
    }
    if (i.flags & MICA_DOMINF_PRIVILEGED) {
        printk("console: '%s' is dom0, whose console this already is\n", i.name);
        return -1;
    }
    if (i.state != MICA_DOMCTL_STATE_RUNNING) {
        printk("console: domain '%s' is %s, not running\n", i.name, domain_state_name(&i));
        return -1;
    }
    long rc = domctl_console(id, MICA_CONSOLE_ATTACH, NULL);
    if (rc) {
        printk("console: attaching to '%s' failed (error %ld)\n", i.name, -rc);
        return -1;
    }
    printk("console: attached to '%s' (id %u); Ctrl-] returns to the shell\n", i.name, id);
    while (!wait_until(detached, &id, LOOK_NS))
        ;
    printk("console: detached from '%s'\n", i.name);
    return 0;
}

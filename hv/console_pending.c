/*
 * Console output a domain has written but the hypervisor has not printed
 * yet: its console_io queue (hv/domain_console.c), then its console ring
 * (hv/console_ring.c). The serial console is synchronous, so it is printed
 * a line at a time: when one of the domain's vCPUs is about to run (on the
 * domain's own CPU time, hv/sched.c), or by the scheduling loop when none
 * of them can run, and all of it when the domain has ended.
 */
#include "hv/domain_console.h"

bool domain_console_waiting(const struct domain *d)
{
    return d->console_queue_len || d->console_ring_more;
}

void domain_console_continue(struct domain *d)
{
    if (d->console_queue_len)
        domain_console_next_line(d);
    else if (d->console_ring_more)
        console_ring_drain(d);
}

/* A domain none of whose vCPUs will run soon to print its next line. */
static bool waits_for_loop(const struct domain *d)
{
    if (!d || d->state != DOMAIN_RUNNING || !domain_console_waiting(d))
        return false;
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (d->vcpus[i]->sched.runnable)
            return false;
    return true;
}

bool domain_consoles_waiting(void)
{
    for (uint32_t id = 0; id < MAX_DOMAINS; id++)
        if (waits_for_loop(domain_by_id(id)))
            return true;
    return false;
}

void domain_console_flush(struct domain *d)
{
    while (domain_console_waiting(d))
        domain_console_continue(d);
}

void domain_consoles_continue(void)
{
    static uint32_t next;               /* round robin, so no domain starves */
    for (uint32_t i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_by_id((next + i) % MAX_DOMAINS);
        if (waits_for_loop(d)) {
            next = d->id + 1;
            domain_console_continue(d);
            return;
        }
    }
}

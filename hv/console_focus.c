/*
 * Serial console input focus (hv/console_focus.h, MICA_DOMCTL_CONSOLE). The
 * hypervisor reads the serial line; while dom0 has attached a domU, each
 * byte goes into that domU's console ring instead of dom0's input queue.
 * The detach key is recognised here, in the hypervisor, so that a domU
 * that stops reading (or never reads) cannot keep the console from dom0.
 * A full ring drops bytes and counts them: the serial line never waits.
 */
#include "hv/console_focus.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "public/domctl.h"
#include "public/event_channel.h"

static struct domain *focus;
static bool notify_pending;

/* The bytes put since the last notification are there: raise the domU's
 * console port. Only the port the hypervisor made for the ring: a guest
 * that closed it (or reused the number) gets the bytes without an event. */
static void notify_focus(void)
{
    struct domain *d = focus;
    if (!d || !notify_pending)
        return;
    notify_pending = false;
    uint32_t port = d->console_port;
    if (port && port < EVTCHN_MAX_PORTS && d->evtchn[port].state == EVTCHN_CONSOLE &&
        d->state == DOMAIN_RUNNING)
        evtchn_set_pending(d, port);
}

struct domain *console_focus(void)
{
    /* A focus that stopped without telling us (it cannot, but records are
     * reused) is no focus: input must never reach a dead or new domain. */
    if (focus && focus->state != DOMAIN_RUNNING)
        console_focus_detach();
    return focus;
}

void console_focus_attach(struct domain *d)
{
    notify_focus();             /* a domU it moves away from keeps its event */
    focus = d;
}

void console_focus_detach(void)
{
    if (!focus)
        return;
    notify_focus();             /* what it was sent before the detach key */
    focus = NULL;
    struct domain *dom0 = domain_by_id(0);
    if (domain_is_running(dom0) && dom0->privileged)
        evtchn_send_virq(dom0->vcpus[0], VIRQ_CONSOLE);
}

void console_focus_stopped(const struct domain *d)
{
    if (focus == d)
        console_focus_detach();
}

bool console_focus_input(char c)
{
    struct domain *d = console_focus();
    if (!d)
        return false;
    if ((unsigned char)c == MICA_CONSOLE_DETACH_KEY) {
        console_focus_detach();
        return true;
    }
    if (console_ring_put_input(d, &c, 1))
        notify_pending = true;
    else
        d->console_in_dropped++;
    return true;
}

void console_focus_flush(void)
{
    console_focus();            /* drops a focus that has stopped */
    notify_focus();
}

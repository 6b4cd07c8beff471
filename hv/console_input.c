/* Console input ring for dom0 (see hv/console_input.h); while dom0 has
 * attached a domU's console, typed bytes go there (hv/console_focus.c). */
#include "hv/console_input.h"
#include "hv/arch.h"
#include "hv/console_focus.h"
#include "hv/domain.h"
#include "hv/event.h"
#include "public/event_channel.h"

static char ring[CONSOLE_INPUT_SIZE];
static uint32_t head, tail;              /* free-running: tail - head bytes buffered */

static struct vcpu *dom0_vcpu(void)
{
    struct domain *d = domain_by_id(0);
    return d && d->privileged && d->state == DOMAIN_RUNNING ? d->vcpus[0] : NULL;
}

bool console_input_awaited(void)
{
    struct vcpu *v = dom0_vcpu();
    return (v && v->virq_port[VIRQ_CONSOLE]) || console_focus();
}

void console_input_poll(void)
{
    bool got = false, routed = false;
    int c;
    while ((c = arch_console_getc()) >= 0) {
        if (console_focus_input((char)c)) {
            routed = true;
            continue;
        }
        if (tail - head < CONSOLE_INPUT_SIZE)
            ring[tail++ % CONSOLE_INPUT_SIZE] = (char)c;
        got = true;
    }
    /* Every scheduling pass polls: with nothing typed, nothing more to do. */
    if (routed)
        console_focus_flush();
    struct vcpu *v = dom0_vcpu();
    if (got && v)
        evtchn_send_virq(v, VIRQ_CONSOLE);
}

size_t console_input_peek(char *buf, size_t max)
{
    size_t n = 0;
    for (uint32_t i = head; i != tail && n < max; i++)
        buf[n++] = ring[i % CONSOLE_INPUT_SIZE];
    return n;
}

void console_input_consume(size_t n)
{
    head += (uint32_t)MIN(n, (size_t)(tail - head));
}

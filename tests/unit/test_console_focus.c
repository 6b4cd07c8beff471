/*
 * Serial input focus (hv/console_focus.c) with the real input poll
 * (hv/console_input.c) and the console ring's `in` side
 * (hv/console_ring_in.c): while a domU is attached, typed bytes go into its
 * ring and its console port is raised once per batch; Ctrl-] detaches,
 * dom0 gets VIRQ_CONSOLE and the bytes after it; a full, corrupt or
 * unmapped ring drops and counts; a stopped domain loses the focus. The
 * keyboard is a script of bytes; guest memory is shim_arch_mem.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "shim_guest.h"
#include "hv/console_focus.h"
#include "hv/console_input.h"
#include "hv/domain_console.h"
#include "hv/event.h"
#include "public/console_ring.h"
#include "public/domctl.h"
#include "public/event_channel.h"

CHECK_SUITE("console_focus");

#define RING_GPA  0x3000ull
#define RING_PORT 2

/* ---- shims: typed bytes, event delivery, the report rate ----------------- */
static const char *typed;
static unsigned virq_console_sent, ring_notified;
static uint32_t notified_port;
static char reports[512];

int arch_console_getc(void)
{
    return typed && *typed ? (unsigned char)*typed++ : -1;
}

void evtchn_send_virq(struct vcpu *v, uint32_t virq)
{
    if (virq == VIRQ_CONSOLE && v->domain->id == 0)
        virq_console_sent++;
}

void evtchn_set_pending(struct domain *d, uint32_t port)
{
    (void)d;
    ring_notified++;
    notified_port = port;
}

bool domain_console_charge(struct domain *d, size_t n)
{
    (void)d, (void)n;
    return true;
}

void printk(const char *fmt, ...)
{
    size_t used = strlen(reports);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reports + used, sizeof reports - used, fmt, ap);
    va_end(ap);
}

/* ---- helpers -------------------------------------------------------------- */
static struct vcpu *dom0, *domu;
static struct xencons_interface *ring;

static void setup(void)
{
    console_focus_detach();
    shim_guest_reset();
    shim_arch_mem_reset();
    dom0 = shim_domain_create(0, true, 16 << 20);
    domu = shim_domain_create(1, false, 16 << 20);
    strcpy(domu->domain->name, "echo");
    domu->domain->console_ring_gpa = RING_GPA;
    domu->domain->console_port = RING_PORT;
    domu->domain->evtchn[RING_PORT].state = EVTCHN_CONSOLE;
    ring = shim_gpa_mem(RING_GPA, sizeof *ring);
    memset(ring, 0, sizeof *ring);
    char junk[CONSOLE_INPUT_SIZE];
    console_input_consume(console_input_peek(junk, sizeof junk));
    virq_console_sent = ring_notified = 0;
    reports[0] = 0;
}

static void type(const char *s)
{
    typed = s;
    console_input_poll();
}

static size_t dom0_input(char *buf, size_t max)
{
    size_t n = console_input_peek(buf, max);
    console_input_consume(n);
    return n;
}

/* ---- cases ---------------------------------------------------------------- */
static void test_routing(void)
{
    char buf[64];

    setup();
    CHECK("dom0 has the input at first", console_focus() == NULL);
    console_focus_attach(domu->domain);
    CHECK("attach gives the domU the focus", console_focus() == domu->domain);
    CHECK("input is polled while attached, VIRQ_CONSOLE unbound", console_input_awaited());
    type("ls\r");
    CHECK("typed bytes land in its ring's in side",
          ring->in_prod == 3 && ring->in_cons == 0 && !memcmp(ring->in, "ls\r", 3));
    CHECK("its console port raised once for the batch",
          ring_notified == 1 && notified_port == RING_PORT);
    CHECK("dom0 gets neither the bytes nor VIRQ_CONSOLE",
          dom0_input(buf, sizeof buf) == 0 && virq_console_sent == 0);
    type("");
    CHECK("no input, no notification", ring_notified == 1);

    /* The detach key is the hypervisor's: never passed on. */
    type("x\x1dyz");
    CHECK("bytes before Ctrl-] still go to the domU",
          ring->in_prod == 4 && ring->in[3] == 'x' && ring_notified == 2);
    CHECK("Ctrl-] gives the focus back to dom0", console_focus() == NULL);
    CHECK("... and is not put in the ring", ring->in_prod == 4);
    size_t n = dom0_input(buf, sizeof buf);
    CHECK("bytes after Ctrl-] are dom0's", n == 2 && !memcmp(buf, "yz", 2));
    CHECK("dom0 told: VIRQ_CONSOLE for the detach and for its bytes", virq_console_sent == 2);
    type("\x1d");
    CHECK("Ctrl-] with dom0 focused is an ordinary byte for dom0",
          dom0_input(buf, sizeof buf) == 1 && buf[0] == 0x1d);
}

static void test_indices_wrap(void)
{
    setup();
    ring->in_cons = ring->in_prod = 0xfffffffeu;    /* free-running, about to wrap */
    console_focus_attach(domu->domain);
    type("abcd");
    CHECK("indices wrap: in_prod moves on by 4", ring->in_prod == 2);
    CHECK("slots are the index modulo the size",
          ring->in[XENCONS_IN_SIZE - 2] == 'a' && ring->in[XENCONS_IN_SIZE - 1] == 'b' &&
              ring->in[0] == 'c' && ring->in[1] == 'd');
}

static void test_drops(void)
{
    setup();
    console_focus_attach(domu->domain);
    ring->in_prod = 5000 + XENCONS_IN_SIZE - 1;
    ring->in_cons = 5000;
    type("pq");
    CHECK("one free slot takes one byte", ring->in_prod == 5000 + XENCONS_IN_SIZE);
    CHECK("the byte that finds it full is dropped and counted",
          domu->domain->console_in_dropped == 1 && ring_notified == 1);
    type("rst");
    CHECK("a full ring never blocks: all dropped", domu->domain->console_in_dropped == 4);
    CHECK("... no notification for nothing new", ring_notified == 1);
    CHECK("... and the focus stays", console_focus() == domu->domain);

    /* A guest that corrupts the indices loses its input, reported. */
    ring->in_prod = 100000;
    ring->in_cons = 0;
    type("u");
    CHECK("corrupt indices: dropped, indices left alone",
          domu->domain->console_in_dropped == 5 && ring->in_prod == 100000);
    CHECK("... and reported by name", strstr(reports, "domain 'echo': console ring input") != NULL);

    /* Something else mapped over the ring page. */
    ring->in_prod = ring->in_cons = 0;
    shim_gfn_set_ram(RING_GPA >> 12, false);
    type("v");
    CHECK("no ring mapped: dropped", domu->domain->console_in_dropped == 6);
    shim_gfn_set_ram(RING_GPA >> 12, true);

    /* A guest that closed its console port gets the bytes without an event. */
    domu->domain->evtchn[RING_PORT].state = EVTCHN_FREE;
    unsigned before = ring_notified;
    type("w");
    CHECK("closed console port: the byte is put, no event",
          ring->in_prod == 1 && ring->in[0] == 'w' && ring_notified == before);
}

static void test_stops(void)
{
    setup();
    console_focus_attach(domu->domain);
    console_focus_stopped(dom0->domain);
    CHECK("another domain stopping leaves the focus", console_focus() == domu->domain);
    domu->domain->state = DOMAIN_SHUTDOWN;
    console_focus_stopped(domu->domain);
    CHECK("the attached domain stopping gives dom0 the focus", console_focus() == NULL);
    CHECK("... and tells dom0", virq_console_sent == 1);

    /* Even a state change that did not call console_focus_stopped. */
    setup();
    console_focus_attach(domu->domain);
    domu->domain->state = DOMAIN_CRASHED;
    type("zz");
    CHECK("a stopped focus is never written to", ring->in_prod == 0 && ring_notified == 0);
    char buf[8];
    CHECK("... its input is dom0's", dom0_input(buf, sizeof buf) == 2 && console_focus() == NULL);

    setup();
    console_focus_detach();
    CHECK("detach with nothing attached tells no one", virq_console_sent == 0);
}

int main(void)
{
    test_routing();
    test_indices_wrap();
    test_drops();
    test_stops();
    CHECK_DONE();
}

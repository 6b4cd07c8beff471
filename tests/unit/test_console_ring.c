/*
 * hv/console_ring.c: a domU's console ring is drained a line at a time, and
 * "more is waiting" never outlives the ring (a guest that maps something
 * else over its ring page must not leave the scheduler coming back for it).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hv/arch.h"
#include "hv/domain_console.h"
#include "hv/printk.h"
#include "public/console_ring.h"

CHECK_SUITE("console_ring");

#define RING_GPA 0x5000ull
static struct xencons_interface ring;
static bool ring_mapped = true;
static char written[256];
static size_t written_len;

paddr_t arch_domain_gpa_to_hpa(struct domain *d, gpaddr_t gpa, bool write)
{
    (void)d, (void)write;
    return ring_mapped && gpa == RING_GPA ? RING_GPA : 0;
}

void *phys_to_virt(paddr_t pa)
{
    if (pa != RING_GPA)
        abort();
    return &ring;
}

void domain_console_write(struct domain *d, const char *buf, size_t n)
{
    (void)d;
    memcpy(written + written_len, buf, n);
    written_len += n;
}

bool domain_console_next_line(struct domain *d)
{
    d->console_queue_len = 0;
    return false;
}

bool domain_console_charge(struct domain *d, size_t n)
{
    (void)d, (void)n;
    return true;
}

void printk(const char *fmt, ...)
{
    (void)fmt;
}

static void put(const char *s)
{
    for (size_t i = 0; s[i]; i++)
        ring.out[(ring.out_prod++) % XENCONS_OUT_SIZE] = s[i];
}

int main(void)
{
    struct domain d = { .console_ring_gpa = RING_GPA };

    put("one\ntwo\n");
    console_ring_drain(&d);
    CHECK("first-line", written_len == 4 && memcmp(written, "one\n", 4) == 0);
    CHECK("more-waiting", d.console_ring_more);
    console_ring_drain(&d);
    CHECK("second-line", written_len == 8 && memcmp(written + 4, "two\n", 4) == 0);
    CHECK("nothing-more", !d.console_ring_more);

    put("three\nfour\n");
    console_ring_drain(&d);
    CHECK("more-again", d.console_ring_more);
    ring_mapped = false;        /* the guest put another page over its ring */
    console_ring_drain(&d);
    CHECK("unmapped-ring-has-nothing-waiting", !d.console_ring_more);
    CHECK("unmapped-ring-prints-nothing", written_len == 14);

    ring_mapped = true;
    d.console_ring_gpa = 0;     /* dom0: no ring at all */
    d.console_ring_more = true;
    console_ring_drain(&d);
    CHECK("no-ring-has-nothing-waiting", !d.console_ring_more);
    CHECK_DONE();
}

/*
 * test=balloon: the domU's balloon (guest-pv/kernel/balloon.c) gives RAM
 * back and takes it again. 4 MiB out: it owns exactly that much less; a
 * target of 0: it stops at its floor; back to where it began: it owns what
 * it did, and the top page, written before it went, comes back zeroed.
 * One PASS/FAIL line per case (group "balloon").
 *
 * test=balloon-follow: a domain that does nothing but follow its
 * memory/target (dom0's mem-set), as a Xen guest's balloon driver does.
 */
#include <stdint.h>

#include <public/memory_op.h>

#include "balloon.h"
#include "balloon_target.h"
#include "console.h"
#include "hypercall.h"
#include "tests.h"

#define OUT_PAGES 1024              /* 4 MiB */

static void check(const char *name, int ok, long value)
{
    printk("%s: balloon/%s (%ld)\n", ok ? "PASS" : "FAIL", name, value);
}

static long owned(void)
{
    domid_t self = DOMID_SELF;
    return hyp_memory_op(XENMEM_CURRENT_RESERVATION, (unsigned long)&self);
}

void test_balloon(const struct guest_env *env)
{
    balloon_init(env->si);
    long start = owned();
    long top = hyp_memory_op(XENMEM_MAXIMUM_RAM_PAGE, 0);
    volatile uint8_t *top_page = (volatile uint8_t *)(uintptr_t)((uint64_t)top * PAGE_SIZE);

    check("owns-pages", start > OUT_PAGES, start);
    *top_page = 0x5a;
    long now = balloon_set_target((uint64_t)start - OUT_PAGES);
    check("4m-out", now == start - OUT_PAGES && balloon_pages() == OUT_PAGES, now);
    check("4m-out-seen-by-hypervisor", owned() == now, owned());
    now = balloon_set_target(0);
    check("to-its-floor", now > 0 && now < start - OUT_PAGES &&
          (uint64_t)(start - now) == balloon_pages(), now);
    now = balloon_set_target((uint64_t)start);
    check("all-back", now == start && balloon_pages() == 0, now);
    check("top-page-back-zeroed", *top_page == 0, *top_page);
    now = balloon_set_target((uint64_t)start + 1);
    check("not-above-what-it-was-built-with", now == start, now);
    printk("balloon: done\n");
}

void test_balloon_follow(const struct guest_env *env)
{
    balloon_init(env->si);
    if (!balloon_target_start()) {
        printk("FAIL: balloon-follow/store (no store port from dom0, or the watch refused)\n");
        return;
    }
    printk("balloon-follow: %s follows memory/target\n", env->name);
    while (balloon_target_follow())
        ;
    printk("FAIL: balloon-follow/store-broken\n");
}

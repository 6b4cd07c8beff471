/*
 * Host unit test for the bad-pointer fixture (bad_pointers.c) over the fake
 * guest: every pointer it lists faults as its name says, so that a handler
 * test walking the list checks what it claims to. A straddle must have its
 * first half mapped (else it is one more unmapped pointer), and a partial one
 * must really write that half before the fault.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "bad_pointers.h"
#include "shim_guest.h"
#include "hv/arch.h"
#include "public/errno.h"

CHECK_SUITE("bad_pointers");

static bool straddles(enum bad_kind k)
{
    return k == BAD_STRADDLE_RW || k == BAD_STRADDLE_RO || k == BAD_STRADDLE_HI;
}

static void test_list(enum bad_use use, size_t size)
{
    const char *side = use == BAD_FOR_WRITE ? "write" : "read";
    uint8_t buf[2048], good[2048];
    unsigned n = 0, seen = 0;
    bool partial_ok = true;

    memset(good, 0x3c, size);
    for (const struct bad_pointer *b = bad_pointers(use, size); b->what; b++, n++) {
        char name[96];      /* shim_name's buffer is reused below */
        snprintf(name, sizeof name, "%s %zu: %s", side, size, b->what);
        seen |= 1u << b->kind;
        shim_guest_reset();
        shim_world_snapshot();
        if (use == BAD_FOR_READ) {
            CHECK(shim_name("%s: copy_from_guest faults", name),
                  copy_from_guest(NULL, buf, b->va, size) == -XEN_EFAULT);
        } else {
            CHECK(shim_name("%s: copy_to_guest faults", name),
                  copy_to_guest(NULL, b->va, good, size) == -XEN_EFAULT);
            CHECK(shim_name("%s: the copy-out wrote %s", name,
                            b->partial ? "its first half" : "nothing"),
                  b->partial ? shim_guest_bytes_are(b->va, size / 2, 0x3c)
                             : shim_world_unchanged());
        }
        if (straddles(b->kind)) {
            shim_guest_reset();
            bad_pointers_put_valid(good, size);
            CHECK(shim_name("%s: its first half is mapped and holds the valid object", name),
                  copy_from_guest(NULL, buf, b->va, size / 2) == 0 &&
                  !memcmp(buf, good, size / 2));
        }
        partial_ok &= b->partial == (use == BAD_FOR_WRITE && (b->kind == BAD_STRADDLE_RW ||
                                                            b->kind == BAD_STRADDLE_HI));
    }
    /* Read-only memory is a bad pointer only for writing. */
    unsigned want = use == BAD_FOR_WRITE ? (1u << (BAD_READ_ONLY + 1)) - 1
                                         : (1u << BAD_READ_ONLY) - 1;
    CHECK(shim_name("%s %zu: every kind listed once", side, size),
          seen == want && n == (unsigned)__builtin_popcount(want));
    CHECK(shim_name("%s %zu: partial just where a straddle starts writable", side, size),
          partial_ok);
}

static void test_read_only_is_readable(void)
{
    uint8_t good[16] = { 1, 2, 3 }, buf[16];
    shim_guest_reset();
    bad_pointers_put_valid(good, sizeof good);
    CHECK("the valid object is readable at SHIM_RO_BASE",
          copy_from_guest(NULL, buf, SHIM_RO_BASE, sizeof buf) == 0 && !memcmp(buf, good, sizeof buf));
}

int main(void)
{
    static const size_t sizes[] = { 2, 3, 16, 512, 2048 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        test_list(BAD_FOR_READ, sizes[i]);
        test_list(BAD_FOR_WRITE, sizes[i]);
    }
    test_read_only_is_readable();
    CHECK_DONE();
}

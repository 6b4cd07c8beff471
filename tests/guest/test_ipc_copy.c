/*
 * test=copy-server / test=copy-client: GNTTABOP_copy. The server grants four
 * pages (refs 16..19) holding a 16 KiB pattern and a read-only page (ref
 * 20). The client copies 1 MiB out of the four grants into its own free RAM
 * in 2048-byte chunks, the source cycling over the pages at varying offsets,
 * several copies per call, and checks every byte. Both print the checksum of
 * that byte sequence, the server from the pattern alone, as
 * `ipc/copy-checksum <hex>`. A copy into the read-only grant and one that
 * crosses the end of a page must fail with their exact status.
 */
#include <stdint.h>

#include "console.h"
#include "evtchn.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "test_ipc.h"

#define COPY_REF       16       /* refs 16..19: the pattern pages */
#define COPY_PAGES     4
#define RO_REF         (COPY_REF + COPY_PAGES)
#define UNGRANTED_REF  (RO_REF + 1)
#define COPY_SEED      0xC0
#define RO_SEED        0xC1
#define COPY_BYTES     (1u << 20)
#define CHUNK          2048
#define CHUNKS         (COPY_BYTES / CHUNK)
#define OPS_PER_CALL   16
#define FNV_OFFSET     0xCBF29CE484222325ull
#define FNV_PRIME      0x100000001B3ull

_Static_assert(CHUNKS % OPS_PER_CALL == 0, "whole calls");

/* Chunk k comes from page k % 4 at an offset that walks the page. */
static unsigned int chunk_page(unsigned int k)
{
    return k % COPY_PAGES;
}

static uint16_t chunk_offset(unsigned int k)
{
    return (uint16_t)(k * 97 % (PAGE_SIZE - CHUNK + 1));
}

/* The 16 KiB the server offers: the pattern COPY_SEED over the four pages. */
static uint8_t offered(unsigned int page, unsigned int offset)
{
    return ipc_pattern(COPY_SEED, (uint64_t)page * PAGE_SIZE + offset);
}

static uint64_t fnv1a(uint64_t h, uint8_t byte)
{
    return (h ^ byte) * FNV_PRIME;
}

/* The checksum of the byte sequence the client must end up with. */
static uint64_t expected_checksum(void)
{
    uint64_t h = FNV_OFFSET;

    for (unsigned int k = 0; k < CHUNKS; k++) {
        for (unsigned int i = 0; i < CHUNK; i++)
            h = fnv1a(h, offered(chunk_page(k), chunk_offset(k) + i));
    }
    return h;
}

void test_ipc_copy_server(const struct guest_env *env)
{
    static const char test[] = "copy-server";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port;

    for (unsigned int p = 0; p < COPY_PAGES; p++) {
        uint8_t *page = ipc_page(p);

        for (unsigned int i = 0; i < PAGE_SIZE; i++)
            page[i] = offered(p, i);
        if (!grant_access(COPY_REF + p, peer, ipc_gfn(page), true))
            ipc_abort(test, "cannot grant ref", COPY_REF + p);
    }
    ipc_fill(ipc_page(COPY_PAGES), RO_SEED);
    if (!grant_access(RO_REF, peer, ipc_gfn(ipc_page(COPY_PAGES)), true))
        ipc_abort(test, "cannot grant ref", RO_REF);
    port = ipc_listen(peer, test);

    printk("ipc/copy-checksum 0x%lx\n", (unsigned long)expected_checksum());

    /* Copies leave nothing mapped: once the client is done and gone, every grant ends. */
    if (!ipc_wait_event(port, 0))
        ipc_abort(test, "client never reported done; port status", evtchn_port_status(port));
    if (!ipc_wait_status(port, EVTCHNSTAT_unbound))
        ipc_abort(test, "client never left; port status", evtchn_port_status(port));
    for (grant_ref_t ref = COPY_REF; ref <= RO_REF; ref++) {
        if (!grant_end(ref)) {
            printk("FAIL: ipc/copy-server-end-grants ref %u flags 0x%x\n", ref,
                   grant_flags(ref));
            return;
        }
    }
    printk("PASS: ipc/copy-server-end-grants\n");
    evtchn_close(port);
}

/* Free RAM after our image, page aligned: room for the 1 MiB the client fills. */
static uint8_t *copy_buffer(const char *test)
{
    extern uint8_t __image_end[];
    uintptr_t start = ((uintptr_t)__image_end + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);

    /* ipc_map_addr(0) is the first page past our RAM. */
    if (start + COPY_BYTES > ipc_map_addr(0))
        ipc_abort(test, "not enough free RAM for 1 MiB; end of image", (long)start);
    return (uint8_t *)start;
}

/* Chunks first..first+OPS_PER_CALL-1 in one call; false after a FAIL line. */
static bool copy_chunks(domid_t peer, uint8_t *buf, unsigned int first)
{
    struct gnttab_copy ops[OPS_PER_CALL];
    long rc;

    for (unsigned int i = 0; i < OPS_PER_CALL; i++) {
        unsigned int k = first + i;
        uintptr_t dst = (uintptr_t)buf + (uintptr_t)k * CHUNK;

        ops[i] = (struct gnttab_copy){
            .source = grant_copy_gref(peer, COPY_REF + chunk_page(k), chunk_offset(k)),
            .dest = grant_copy_local(dst / PAGE_SIZE, (uint16_t)(dst % PAGE_SIZE)),
            .len = CHUNK,
            .flags = GNTCOPY_source_gref,
        };
    }
    rc = grant_op(GNTTABOP_copy, ops, OPS_PER_CALL);
    if (rc != 0) {
        printk("FAIL: ipc/copy-client call for chunks %u.. = %ld\n", first, rc);
        return false;
    }
    for (unsigned int i = 0; i < OPS_PER_CALL; i++) {
        if (ops[i].status != GNTST_okay) {
            printk("FAIL: ipc/copy-client chunk %u status %d\n", first + i, ops[i].status);
            return false;
        }
    }
    return true;
}

/* One copy whose status must be `want`. */
static void copy_case(const char *name, struct gnttab_copy op, int want)
{
    long rc = grant_op(GNTTABOP_copy, &op, 1);

    if (rc == 0 && op.status == want)
        printk("PASS: ipc/%s\n", name);
    else
        printk("FAIL: ipc/%s call %ld status %d expected %d\n", name, rc, op.status, want);
}

void test_ipc_copy_client(const struct guest_env *env)
{
    static const char test[] = "copy-client";
    domid_t peer = ipc_start(env, test);
    evtchn_port_t port = ipc_connect(peer, test);
    uint8_t *buf = copy_buffer(test);
    uint64_t gfn = ipc_gfn(buf), h = FNV_OFFSET;
    long first_bad = -1;
    bool copied = true;
    struct gnttab_copy probe;

    /* The server grants before it offers the port: the grants exist by now. */
    for (unsigned int k = 0; k < CHUNKS && copied; k += OPS_PER_CALL)
        copied = copy_chunks(peer, buf, k);
    for (unsigned int k = 0; k < CHUNKS && copied; k++) {
        for (unsigned int i = 0; i < CHUNK; i++) {
            uint8_t b = buf[k * CHUNK + i];

            h = fnv1a(h, b);
            if (first_bad < 0 && b != offered(chunk_page(k), chunk_offset(k) + i))
                first_bad = (long)(k * CHUNK + i);
        }
    }
    if (copied) {
        printk("ipc/copy-checksum 0x%lx\n", (unsigned long)h);
        if (first_bad < 0 && h == expected_checksum())
            printk("PASS: ipc/copy-client %u bytes\n", COPY_BYTES);
        else
            printk("FAIL: ipc/copy-client checksum 0x%lx, first wrong byte at %ld\n",
                   (unsigned long)h, first_bad);
    }

    probe = (struct gnttab_copy){
        .source = grant_copy_local(gfn, 0),
        .dest = grant_copy_gref(peer, RO_REF, 0),
        .len = 16,
        .flags = GNTCOPY_dest_gref,
    };
    copy_case("copy-to-readonly", probe, GNTST_permission_denied);
    probe = (struct gnttab_copy){
        .source = grant_copy_gref(peer, COPY_REF, 4000),
        .dest = grant_copy_local(gfn, 0),
        .len = 200,
        .flags = GNTCOPY_source_gref,
    };
    copy_case("copy-past-page-end", probe, GNTST_bad_copy_arg);
    probe.source = grant_copy_gref(peer, UNGRANTED_REF, 0);
    probe.len = 16;
    copy_case("copy-ungranted", probe, GNTST_permission_denied);
    ipc_notify(port, test);     /* done: the server may end its grants once we are gone */
}

/*
 * The world the grant-table unit tests share (test_grant_table.c: table
 * frames, setup, map and unmap, the hypercall; test_grant_copy.c: copy,
 * frames outliving their owner, leak counts), and its helpers.
 *
 * dom0 privileged; dom1 the granter G; dom2 the mapper M; dom3 a second
 * mapper M2; dom4 destroyed; dom5 shut down (but not yet destroyed); slot 9
 * empty. Every domain has RAM at gfns RAM_GFN .. RAM_GFN+RAM_PAGES-1 and
 * nothing elsewhere; G (and dom4, dom5) map table frame 0 at TABLE_GFN.
 * Linked with the real hv/domain_target.c over the fake guest
 * (shim_guest.c), a fake EPT per domain (shim_grant_arch.c) and the fake
 * frame allocator and physical memory of shim_frames.c, which counts
 * allocations and frees and notices double frees.
 */
#ifndef MICA_TEST_GRANT_FIXTURE_H
#define MICA_TEST_GRANT_FIXTURE_H

#include <string.h>
#include "shim.h"
#include "shim_guest.h"
#include "shim_grant_arch.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "hv/grant_table.h"
#include "hv/hypercalls.h"
#include "public/errno.h"
#include "public/grant_table.h"

#define RAM_GFN   0x10ull
#define RAM_PAGES 8
#define TABLE_GFN 0x100ull      /* G maps table frame i at TABLE_GFN + i */
#define HOST_GFN  0x200ull      /* empty slots of the mappers' physmaps */
#define GPA(gfn)  ((uint64_t)(gfn) << PAGE_SHIFT)

#define OPS (SHIM_RW_BASE)              /* up to 0x10000 bytes of operations */
#define BUF (SHIM_RW_BASE + 0x18000)    /* setup_table's frame_list */

extern struct vcpu *v0, *vg, *vm, *vm2, *v5;
extern struct domain *d0, *g, *m, *m2, *d4, *d5;

struct map_result {
    long rc;
    int16_t status;
    grant_handle_t handle;
    uint64_t dev_bus_addr;
};

void give_ram(struct domain *d);
paddr_t ram(struct domain *d, uint64_t gfn);
void setup(void);
void die(struct domain *d);
struct grant_entry_v1 *ent(struct domain *d, grant_ref_t ref);
void grant(struct domain *d, grant_ref_t ref, uint16_t flags, domid_t to, uint32_t gfn);
long gop(struct vcpu *v, uint64_t cmd, gvaddr_t uop, uint64_t count);
void put_map(gvaddr_t va, domid_t dom, grant_ref_t ref, uint64_t host_addr, uint32_t flags);
struct gnttab_map_grant_ref get_map(gvaddr_t va);
struct map_result map(struct vcpu *v, domid_t dom, grant_ref_t ref, uint64_t host_addr,
                      uint32_t flags);
void put_unmap(gvaddr_t va, uint64_t host_addr, grant_handle_t handle);
int16_t unmap_status(gvaddr_t va);
int16_t unmap(struct vcpu *v, uint64_t host_addr, grant_handle_t handle);
bool mapped_at(struct domain *d, gpaddr_t gpa, paddr_t frame, unsigned flags);
bool unmapped_at(struct domain *d, gpaddr_t gpa);
unsigned maptrack_used(struct domain *d);
struct gnttab_query_size query(struct vcpu *v, domid_t dom);

#endif

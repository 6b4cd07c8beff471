/*
 * Grant tables, v1, on the hypervisor side. A domain's table is up to
 * GRANT_MAX_FRAMES hypervisor-owned frames it maps into its own physmap and
 * writes entries into. Mappings of other domains' grants are recorded in the
 * mapping domain's maptrack. A frame stays allocated while any domain maps
 * it, even after the domain that owned it is gone.
 */
#ifndef HV_GRANT_TABLE_H
#define HV_GRANT_TABLE_H

#include "hv/types.h"
#include "hv/physmap.h"
#include "public/grant_table.h"

#define GRANT_MAX_ENTRIES (GRANT_MAX_FRAMES * GRANT_ENTRIES_PER_FRAME)

/* How many mappings of one of our grants exist, by kind. */
struct grant_pin {
    uint16_t readers;           /* read-only mappings */
    uint16_t writers;           /* writable mappings */
};

/* One grant this domain has mapped from another. */
struct maptrack {
    bool in_use;
    bool readonly;
    bool holds_frame;           /* the owner released the page: the last mapping frees it */
    bool granter_gone;          /* the granter died: nothing left to unpin */
    uint16_t granter;
    grant_ref_t ref;
    gpaddr_t gpa;               /* where it is mapped in our physmap */
    paddr_t frame;
};

struct grant_table {
    uint32_t nr_frames;                     /* frames allocated (the table's size) */
    /* Its limits, within the host's (createdomain); 0: the host's. */
    uint32_t max_frames;
    uint32_t max_maptrack;
    paddr_t frames[GRANT_MAX_FRAMES];
    struct physmap_slot frame_slot[GRANT_MAX_FRAMES];  /* where the domain mapped each */
    struct grant_pin pins[GRANT_MAX_ENTRIES];
    struct maptrack maptrack[GRANT_MAX_MAPTRACK];
    uint32_t maptrack_used;                 /* entries in use ... */
    uint32_t maptrack_hwm;                  /* ... all below this index */
};

struct domain;

/* memory_op add_to_physmap, XENMAPSPACE_grant_table: map table frame `idx` at `gpa`. */
int grant_map_table_frame(struct domain *d, uint64_t idx, gpaddr_t gpa);
/* The builder's grant of d's page `gfn` to `to` in reserved entry `ref`
 * (below GNTTAB_NR_RESERVED_ENTRIES); grows the table to its first frame.
 * 0, or -XEN_ENOMEM. */
int grant_reserve(struct domain *d, grant_ref_t ref, domid_t to, uint64_t gfn);
/* A dying domain: drop every grant it has mapped (as mapper). */
void grant_unmap_all(struct domain *d);
/* A dying domain as granter: mappings of its grants no longer pin anything. */
void grant_granter_dying(struct domain *d);
/* `frame`, which its owner gave up, is still mapped through grants: true, and
 * those mappings now hold it (the last unmap frees it). false if none maps it. */
bool grant_hold_mapped_frame(paddr_t frame);
/* A dead domain: free its table frames (after its EPT is gone). */
void grant_free_table(struct domain *d);
/* For the leak check: grant mappings in use in every domain's maptrack, the
 * pins they hold on granters' entries, and the running count of mappings
 * that frees of pages rely on (all three 0 once every domain is gone). */
void grant_count_in_use(uint32_t *mappings, uint32_t *pins, uint32_t *counted);

#endif

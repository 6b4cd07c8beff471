/* EPT construction and software walks (see arch/ept.h). */
#include "arch/ept.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "hv/string.h"

#define LEVELS 4
#define ENTRIES 512
#define EPTP_WALK_LENGTH_4 (3ull << 3)
#define EPTP_MEMTYPE_WB 6ull
#define TABLE_PERM EPT_RWX      /* non-leaf entries allow everything; leaves decide */

static unsigned index_at(uint64_t gpa, int level)   /* level 3 = PML4 ... 0 = PT */
{
    return (gpa >> (12 + 9 * level)) & (ENTRIES - 1);
}

static uint64_t *table(uint64_t pa)
{
    return phys_to_virt(pa);
}

int ept_init(struct ept *ept)
{
    uint64_t root = frame_alloc();
    if (!root)
        return -1;
    memset(table(root), 0, 4096);
    ept->root = root;
    ept->table_frames = 1;
    ept->table_limit = 0;
    return 0;
}

uint64_t ept_tables_for(uint64_t bytes)
{
    uint64_t tables = 1;                        /* the root */
    for (int level = 1; level < LEVELS; level++) {
        uint64_t span = 1ull << (12 + 9 * level);   /* what one table of this level maps */
        tables += bytes / span + (bytes % span != 0);
    }
    return tables;
}

uint64_t ept_pointer(const struct ept *ept)
{
    return ept->root | EPTP_WALK_LENGTH_4 | EPTP_MEMTYPE_WB;
}

/* The leaf slot for gpa, allocating intermediate tables; NULL if out of
 * memory or past the table limit. */
static uint64_t *leaf_slot(struct ept *ept, uint64_t gpa)
{
    uint64_t *t = table(ept->root);
    for (int level = LEVELS - 1; level > 0; level--) {
        uint64_t *e = &t[index_at(gpa, level)];
        if (!(*e & EPT_RWX)) {
            if (ept->table_limit && ept->table_frames >= ept->table_limit)
                return NULL;
            uint64_t pa = frame_alloc();
            if (!pa)
                return NULL;
            memset(table(pa), 0, 4096);
            ept->table_frames++;
            *e = pa | TABLE_PERM;
        }
        t = table(*e & EPT_ADDR_MASK);
    }
    return &t[index_at(gpa, 0)];
}

/* RAM is write-back, device memory uncached, whatever the guest's PAT says. */
static uint64_t make_leaf(uint64_t hpa, uint64_t perm)
{
    uint64_t type = (perm & EPT_SW_UNCACHED) ? EPT_MEMTYPE_UC : EPT_MEMTYPE_WB;
    return (perm & EPT_RWX) ? hpa | perm | type | EPT_IGNORE_PAT : 0;
}

int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t perm)
{
    if (gpa >= EPT_GPA_LIMIT || (gpa & 0xfff) || (hpa & 0xfff))
        return -1;
    uint64_t *leaf = leaf_slot(ept, gpa);
    if (!leaf)
        return -1;
    if (*leaf & EPT_RWX)
        return -2;
    *leaf = make_leaf(hpa, perm);
    return 0;
}

int ept_replace(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t perm, uint64_t *old)
{
    if (gpa >= EPT_GPA_LIMIT || (gpa & 0xfff) || (hpa & 0xfff))
        return -1;
    uint64_t *leaf = leaf_slot(ept, gpa);
    if (!leaf)
        return -1;
    *old = (*leaf & EPT_RWX) ? *leaf : 0;
    *leaf = make_leaf(hpa, perm);
    return 0;
}

uint64_t ept_lookup(const struct ept *ept, uint64_t gpa)
{
    if (gpa >= EPT_GPA_LIMIT)
        return 0;
    const uint64_t *t = table(ept->root);
    for (int level = LEVELS - 1; level > 0; level--) {
        uint64_t e = t[index_at(gpa, level)];
        if (!(e & EPT_RWX))
            return 0;
        t = table(e & EPT_ADDR_MASK);
    }
    uint64_t leaf = t[index_at(gpa, 0)];
    return (leaf & EPT_RWX) ? leaf : 0;
}

uint64_t ept_translate(const struct ept *ept, uint64_t gpa, bool write)
{
    uint64_t leaf = ept_lookup(ept, gpa & PAGE_MASK);
    if (!(leaf & EPT_READ) || (write && !(leaf & EPT_WRITE)))
        return 0;
    return (leaf & EPT_ADDR_MASK) | (gpa & ~PAGE_MASK);
}

static void destroy_level(uint64_t pa, int level, struct ept *ept, void (*release)(uint64_t))
{
    uint64_t *t = table(pa);
    for (unsigned i = 0; i < ENTRIES; i++) {
        if (!(t[i] & EPT_RWX))
            continue;
        if (level > 0)
            destroy_level(t[i] & EPT_ADDR_MASK, level - 1, ept, release);
        else if (t[i] & EPT_SW_OWNED)
            release(t[i] & EPT_ADDR_MASK);
        t[i] = 0;
    }
    frame_free(pa);
    ept->table_frames--;
}

void ept_destroy(struct ept *ept, void (*release)(uint64_t hpa))
{
    if (!ept->root)
        return;
    destroy_level(ept->root, LEVELS - 1, ept, release);
    ept->root = 0;
}

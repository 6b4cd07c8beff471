/*
 * test=fuzz: the seeded hypercall fuzzer. test_fuzz.c drives it,
 * test_fuzz_calls.c builds each call from the values, guest frames and
 * pointers of test_fuzz_args.c. What they share: the random stream, the
 * memory the generators may name, and the call being built.
 *
 * A call is generated whole before it is issued: its number, its five
 * argument registers and the bytes of the argument structures it points at,
 * which are built in `stage`, a mirror of the scratch area, and copied there
 * just before the call. Generation never looks at a result or at memory the
 * hypervisor writes, so a seed always gives the same sequence of calls.
 * Values that are relative to the current system time (timeouts) are
 * generated as offsets and made absolute at issue.
 */
#ifndef GUEST_TEST_FUZZ_H
#define GUEST_TEST_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include <public/grant_table.h>
#include <public/hvm_start_info.h>
#include <public/hvm_vcpu.h>

#include "hypercall.h"

#define FUZZ_SCRATCH_PAGES 8
#define FUZZ_SCRATCH_BYTES (FUZZ_SCRATCH_PAGES * PAGE_SIZE)
#define FUZZ_ARGS          5
#define FUZZ_MAX_NOW       4
/* Pages at the top of RAM the kernel leaves to the fuzzer. */
#define FUZZ_TOP_PAGES     64
/* Grant refs the fuzzer writes entries for; others are named, not filled. */
#define FUZZ_REFS          16

/*
 * The guest-physical regions the generators name (docs in test_fuzz.c).
 * Addresses are guest-linear = guest-physical below 4 GiB (identity map).
 */
struct fuzz_layout {
    uint64_t ram_end;                   /* end of RAM, bytes */
    uint64_t image_start, image_end;    /* this kernel: never written by a call */
    uint64_t scratch;                   /* FUZZ_SCRATCH_BYTES, then an empty guard page */
    uint64_t shinfo_gfn;                /* where our shared-info page lives */
    uint64_t grant_gfn[GRANT_MAX_FRAMES];   /* where our grant-table frames live */
    uint32_t console_port, timer_port;
};

struct fuzz_call {
    uint64_t nr;
    uint64_t arg[FUZZ_ARGS];
    bool direct;                        /* `vmcall` rather than the hypercall page */
    bool pend_first;                    /* set our evtchn_upcall_pending before the call */
    uint8_t arg_now;                    /* bit i: arg[i] is an offset from now */
    uint32_t lo, hi;                    /* stage[lo, hi) is copied to the scratch area */
    uint32_t now_at[FUZZ_MAX_NOW];      /* stage offsets of uint64_t offsets from now */
    unsigned int nnow;
};

struct fuzz {
    uint64_t rng;                       /* splitmix64 state */
    uint64_t digest;                    /* FNV-1a of every call generated so far */
    struct fuzz_layout mem;
    struct fuzz_call call;
    uint8_t *stage;                     /* FUZZ_SCRATCH_BYTES */
    struct grant_entry_v1 *grants;      /* our table, FUZZ_REFS entries used */
    struct vcpu_hvm_context ctx_template[2];    /* valid 64-bit and 32-bit start states */
};

/* ---- the random stream and the digest (test_fuzz.c) ---- */
uint64_t fuzz_next(struct fuzz *f);
/* Uniform below n (n > 0); the modulo bias is irrelevant here. */
uint64_t fuzz_below(struct fuzz *f, uint64_t n);
/* Fold bytes into the digest. */
void fuzz_hash(struct fuzz *f, const void *p, uint64_t len);
/* A decimal or 0x-hex number (the seed); false if it is not one. */
bool fuzz_parse_u64(const char *s, uint64_t *out);
/* End of the highest RAM range of the start-info memory map. */
uint64_t fuzz_ram_end(const struct hvm_start_info *si);

/* ---- values, frames, pointers, staging (test_fuzz_args.c) ---- */
#define ARRAY_LEN(a)   (sizeof(a) / sizeof((a)[0]))
#define PICK(f, a)     ((a)[fuzz_below((f), ARRAY_LEN(a))])
#define FUZZ_EDGES     49
#define FUZZ_HOT_PAGES 4                /* map-zone pages most maps and unmaps aim at */
#define FUZZ_MAX_WRITE 1024             /* the largest output (XENVER_capabilities) */
#define NS_PER_MS      1000000ull

/* What the hypervisor does with a pointer, which decides what it may name:
 * P_STRUCT is read and must not be garbage (scratch area or unreadable);
 * P_IO is read and written back, harmless if garbage; P_READ is only read;
 * P_WRITE is written during the call; P_PERSIST is written from then on. */
enum ptr_use { P_STRUCT, P_IO, P_READ, P_WRITE, P_PERSIST };
/* What a guest frame number is for: replaced by add_to_physmap, written
 * (copy destination), read, granted to others, written from then on. */
enum gfn_use { G_REPLACE, G_WRITE, G_READ, G_GRANT, G_PERSIST };

extern const uint64_t fuzz_edges[FUZZ_EDGES];
bool fuzz_one_in(struct fuzz *f, uint64_t n);
/* A boundary value half the time, else small or random of a random width. */
uint64_t fuzz_value(struct fuzz *f);
uint32_t fuzz_value32(struct fuzz *f);
uint16_t fuzz_value16(struct fuzz *f);
uint16_t fuzz_domid(struct fuzz *f);
uint32_t fuzz_port(struct fuzz *f);
uint32_t fuzz_vcpu(struct fuzz *f);
uint32_t fuzz_ref(struct fuzz *f);
uint64_t fuzz_top_gfn(struct fuzz *f);
uint64_t fuzz_mapzone_gfn(struct fuzz *f);
uint64_t fuzz_hot_gfn(struct fuzz *f);
uint64_t fuzz_gfn(struct fuzz *f, enum gfn_use use);
/* Where a grant may be mapped (a guest-physical address). */
uint64_t fuzz_map_gpa(struct fuzz *f);
/* A pointer to `len` bytes for `use`; one that cannot be read or written. */
uint64_t fuzz_ptr(struct fuzz *f, enum ptr_use use, uint32_t len);
uint64_t fuzz_bad_ptr(struct fuzz *f, uint32_t len);
/* Stage bytes for guest address `at` (only what falls in the scratch area
 * is written); mark a staged uint64_t as an offset from now; random bytes. */
void fuzz_put(struct fuzz *f, uint64_t at, const void *src, uint64_t len);
void fuzz_put_now(struct fuzz *f, uint64_t at);
void fuzz_put_random(struct fuzz *f, uint64_t at, uint32_t len);
/* A time: absolute (0, long past, edges) or, with *rel, an offset from now. */
uint64_t fuzz_when(struct fuzz *f, bool *rel);

/* ---- the calls (test_fuzz_calls.c) ---- */
/* Fill f->call with the next call (and maybe rewrite one of our grant entries). */
void fuzz_generate(struct fuzz *f);
/* Hypercall names for the summary: index of f->call.nr's group. */
unsigned int fuzz_group(uint64_t nr);
extern const char *const fuzz_group_names[];
#define FUZZ_GROUPS 11

#endif

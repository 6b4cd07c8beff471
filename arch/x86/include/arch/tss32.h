/*
 * The pure parts of a hardware task switch (SDM 3A chapter 8): the 32-bit
 * TSS image, segment descriptors decoded into VMCS form, and the checks the
 * CPU makes on each selector a new task loads. No VMCS or guest memory here
 * (arch/x86/vmx/task_switch.c does that), so the host unit tests run it all.
 */
#ifndef ARCH_TSS32_H
#define ARCH_TSS32_H

#include <stdbool.h>
#include <stdint.h>

/* SDM 3A figure 8-2: the 32-bit TSS; reserved halves of selectors omitted. */
struct tss32 {
    uint16_t link, rsvd0;
    uint32_t esp0; uint16_t ss0, rsvd1;
    uint32_t esp1; uint16_t ss1, rsvd2;
    uint32_t esp2; uint16_t ss2, rsvd3;
    uint32_t cr3, eip, eflags;
    uint32_t gpr[8];            /* EAX ECX EDX EBX ESP EBP ESI EDI: the SDM's register numbers */
    struct { uint16_t sel, rsvd; } seg[6];      /* ES CS SS DS FS GS: enum task_seg order */
    uint16_t ldt, rsvd4;
    uint16_t trap, iomap;       /* trap bit 0: #DB on entering the task */
} __attribute__((packed));
_Static_assert(sizeof(struct tss32) == 0x68, "SDM 3A 8.2.1: 104 bytes");
_Static_assert(__builtin_offsetof(struct tss32, eip) == 0x20, "EIP at 0x20");
_Static_assert(__builtin_offsetof(struct tss32, gpr) == 0x28, "EAX at 0x28");
_Static_assert(__builtin_offsetof(struct tss32, seg) == 0x48, "ES at 0x48");
_Static_assert(__builtin_offsetof(struct tss32, ldt) == 0x60, "LDT at 0x60");

/* The part of the TSS a switch saves the outgoing task into (EIP .. GS). */
#define TSS32_DYNAMIC_START 0x20u
#define TSS32_DYNAMIC_END   0x60u
#define TSS32_MIN_LIMIT     0x67u

/* Segment registers in the TSS's (and the VMCS's) order. */
enum task_seg { TSEG_ES, TSEG_CS, TSEG_SS, TSEG_DS, TSEG_FS, TSEG_GS, TSEG_LDTR, TSEG_TR };

/* Descriptor types (bits 43:40) of system segments. */
#define DESC_TYPE_LDT        0x2u
#define DESC_TYPE_TSS16      0x1u
#define DESC_TYPE_TSS16_BUSY 0x3u
#define DESC_TYPE_TSS32      0x9u
#define DESC_TYPE_TSS32_BUSY 0xbu
#define DESC_TYPE_TASK_GATE  0x5u
#define DESC_BUSY            (1ull << 41)     /* in a TSS descriptor */
#define DESC_ACCESSED        (1ull << 40)     /* in a code or data descriptor */

#define SEL_TI  0x4u            /* the selector names the LDT */
#define SEL_RPL(s) ((s) & 3u)

/* A segment register as VM entry loads it (access rights in VMCS form). */
struct task_segment {
    uint16_t sel;
    uint32_t base, limit, ar;
};

/* Decoding of a legacy 8-byte descriptor: base, byte-granular limit, and the
 * VMCS access rights (SDM 3C 24.4.1: bits 47:40 and 55:52 at 7:0 and 15:12). */
uint32_t desc_base(uint64_t d);
uint32_t desc_limit(uint64_t d);
uint32_t desc_ar(uint64_t d);
unsigned desc_type(uint64_t d);
bool desc_present(uint64_t d);
unsigned desc_dpl(uint64_t d);

/* A virtual-8086 segment (SDM 3C 26.3.1.2): base selector << 4, 64 KiB, 0xf3. */
void task_vm86_segment(uint16_t sel, struct task_segment *s);
/* The unusable segment VM entry takes for a null selector (or LDTR 0). */
void task_null_segment(uint16_t sel, struct task_segment *s);

/*
 * The checks SDM 3A 8.3 (table 8-2) makes on a selector the new task loads
 * into `seg` (ES..GS or LDTR), at new CPL `cpl`; `desc` is its descriptor,
 * already read from a table whose limit covered it. Returns 0 and fills *s
 * (accessed bit set), or the vector to raise (#TS 10, #NP 11, #SS 12) with
 * error code selector & ~3. A null selector is for the caller: only CS, SS
 * refuse it (#TS), and it needs no descriptor.
 */
unsigned task_check_segment(enum task_seg seg, uint16_t sel, uint64_t desc, unsigned cpl,
                            struct task_segment *s);

/* Outgoing task: EIP, EFLAGS, GPRs and selectors into its TSS image. */
void tss32_save(struct tss32 *t, uint32_t eip, uint32_t eflags, const uint32_t gpr[8],
                const uint16_t sel[6]);

#endif

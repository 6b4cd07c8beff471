/* The IDT: every vector points at its stub in traps.asm. */
#include "arch/cpu.h"
#include "arch/x86.h"

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

#define GATE_INTERRUPT 0x8e     /* present, DPL0, 64-bit interrupt gate */
#define VECTOR_NMI 2
#define VECTOR_DOUBLE_FAULT 8

extern const uint64_t trap_stub_table[256];
static struct idt_gate idt[256];

void idt_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t addr = trap_stub_table[v];
        idt[v] = (struct idt_gate){
            .offset_low = addr & 0xffff,
            .selector = GDT_SEL_CODE,
            .type_attr = GATE_INTERRUPT,
            .offset_mid = (addr >> 16) & 0xffff,
            .offset_high = addr >> 32,
        };
    }
    /* Separate stacks, so a corrupt stack still produces a report (gdt.c). */
    idt[VECTOR_DOUBLE_FAULT].ist = 1;
    idt[VECTOR_NMI].ist = 2;
    idt_load();
}

void idt_load(void)
{
    struct descriptor_table_ptr p = { sizeof idt - 1, (uint64_t)idt };
    lidt(&p);
}

/* Per-vCPU data: the GS base of each vCPU points at its own cpus[] entry. */
#include <stdint.h>

#include "arch.h"
#include "percpu.h"

struct cpu cpus[MAX_VCPUS];

void percpu_init(uint32_t id)
{
    struct cpu *c = &cpus[id];

    c->self = c;
    c->id = id;
    wrmsr(MSR_GS_BASE, (uintptr_t)c);
}

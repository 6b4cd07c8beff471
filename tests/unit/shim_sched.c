/* hv/sched.c's kick and per-CPU counters, as fakes (see shim_sched.h). */
#include <string.h>
#include "shim_sched.h"
#include "hv/sched.h"

struct shim_sched shim_sched;

void shim_sched_reset(void)
{
    memset(&shim_sched, 0, sizeof shim_sched);
    shim_sched.last_kick = 0xdead;
}

void sched_kick_cpu(uint32_t cpu)
{
    shim_sched.kick_calls++;
    shim_sched.last_kick = cpu;
}

uint64_t sched_idle_ns(uint32_t cpu)
{
    shim_sched.idle_calls++;
    if (cpu > shim_sched.max_idle_cpu)
        shim_sched.max_idle_cpu = cpu;
    return cpu < SCHED_MAX_CPUS ? shim_sched.idle_ns[cpu] : 0;
}

struct sched_cpu_stats sched_cpu_stats(uint32_t cpu)
{
    shim_sched.cpu_stats_calls++;
    return cpu < SCHED_MAX_CPUS ? shim_sched.cpu_stats[cpu] : (struct sched_cpu_stats){ 0 };
}

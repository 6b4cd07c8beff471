/*
 * vCPU 0's timers on the one-shot VCPUOP_set_singleshot_timer: a periodic
 * tick and waits share it, armed for whichever comes first; each expiry
 * arrives as VIRQ_TIMER and re-arms it. Call these on vCPU 0 only.
 */
#ifndef GUEST_TIMER_H
#define GUEST_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TICK_PERIOD_NS (10 * 1000000ull)

/* Bind VIRQ_TIMER. Needs evtchn_init(). False (after printing why) on failure. */
bool timer_init(void);
/* The port VIRQ_TIMER is bound to. */
uint32_t timer_port(void);

void timer_tick_start(void);
void timer_tick_stop(void);
/* Tick periods elapsed since timer_tick_start(). */
uint64_t timer_ticks(void);
/* VIRQ_TIMER events received so far. */
uint64_t timer_virqs(void);

/* Wait until `ns` from now, idle in `sti; hlt`. Interrupts are off before and after. */
void sleep_ns(uint64_t ns);
/*
 * Idle in `sti; hlt` until done(arg) holds (checked after every event) or
 * `timeout_ns` has passed; true if done(arg) held. Whatever makes it hold
 * must also send us an event, or the wait lasts until the timeout.
 */
bool wait_until(bool (*done)(void *arg), void *arg, uint64_t timeout_ns);
/*
 * Work every wait does before it idles, and again after each event (dom0
 * serves its xenstore rings there). Runs with interrupts off; it must not
 * wait itself. NULL: none.
 */
void timer_set_idle_work(void (*work)(void));
/* Wait for `n` more ticks, idle in SCHEDOP_block. The tick must be running. */
void timer_wait_ticks(unsigned int n);
/* Run the tick for `n` periods and say so ("ticks: N"): shows the timer path works. */
void timer_show_ticks(unsigned int n);

/* VCPUOP_set_singleshot_timer on vCPU 0, for the tests too. */
long timer_set_singleshot(uint64_t deadline_ns, uint32_t flags);

#endif

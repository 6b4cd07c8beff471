/*
 * Wake-up latency under load, for the scheduler's system test.
 *
 * latency-ping and latency-pong ping-pong over an inter-domain event channel
 * while CPU-bound domains compete for the same CPUs. Each round, the ping
 * side sleeps 2 ms (so the hogs run long past their share and the pong side
 * is blocked), stamps the TSC, sends, and halts until the reply's handler
 * has run. A round trip is two wake-ups of a blocked vCPU in another domain:
 * the pong vCPU by our send, ours by its reply. We print the worst and the
 * mean round trip in TSC ticks:
 *
 *     latency: rounds N max_rtt_ticks X mean_rtt_ticks Y
 *
 * Both sides are told `rounds=N` (the pong side stops answering after the
 * warm-up plus N rounds and ends; there is no other way to hear the peer
 * has finished). The ping side starts at system time `start_ms`, so a test
 * can keep its rounds clear of other domains' console output (the
 * hypervisor's console is synchronous: a line printed is a CPU held).
 */
#include <stdbool.h>
#include <stdint.h>

#include <public/sched_op.h>

#include "arch.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "evtchn.h"
#include "guest.h"
#include "lib.h"
#include "test_ipc.h"
#include "test_latency.h"
#include "timer.h"

#define DEFAULT_ROUNDS  100u
#define MAX_ROUNDS      10000u
#define WARMUP_ROUNDS   4u
#define GAP_NS          (2 * 1000000ull)

static volatile bool reply_seen;
static volatile uint32_t pings_answered;
static evtchn_port_t channel;

static uint32_t rounds_from(const struct guest_env *env)
{
    uint32_t rounds = DEFAULT_ROUNDS;
    if (env->cmdline)
        cmdline_get_uint(env->cmdline, "rounds", &rounds);
    return rounds && rounds <= MAX_ROUNDS ? rounds : DEFAULT_ROUNDS;
}

static void on_reply(evtchn_port_t port)
{
    (void)port;
    WRITE_ONCE(reply_seen, true);
}

static void on_ping(evtchn_port_t port)
{
    (void)port;
    evtchn_send(channel);
    WRITE_ONCE(pings_answered, READ_ONCE(pings_answered) + 1);
}

/* One round trip, in TSC ticks. */
static uint64_t round_trip(void)
{
    WRITE_ONCE(reply_seen, false);
    uint64_t t0 = rdtsc();
    evtchn_send(channel);
    while (!READ_ONCE(reply_seen)) {
        sti_hlt();
        cli();
    }
    return rdtsc() - t0;
}

void test_latency_ping(const struct guest_env *env)
{
    domid_t peer = ipc_start(env, "latency-ping");
    uint32_t rounds = rounds_from(env), start_ms = 0;
    uint64_t worst = 0, total = 0;

    if (env->cmdline)
        cmdline_get_uint(env->cmdline, "start_ms", &start_ms);
    channel = ipc_listen(peer, "latency-ping");
    if (!ipc_wait_event(channel, 0))        /* the peer says it is bound */
        ipc_abort("latency-ping", "the peer never bound port", channel);
    evtchn_set_handler(channel, on_reply);
    uint64_t start = (uint64_t)start_ms * NSEC_PER_MSEC;
    if (clock_now_ns() < start)
        sleep_ns(start - clock_now_ns());
    for (uint32_t i = 0; i < WARMUP_ROUNDS + rounds; i++) {
        sleep_ns(GAP_NS);
        uint64_t rtt = round_trip();
        if (i < WARMUP_ROUNDS)
            continue;
        total += rtt;
        if (rtt > worst)
            worst = rtt;
    }
    printk("latency: rounds %u max_rtt_ticks %lu mean_rtt_ticks %lu\n", rounds,
           (unsigned long)worst, (unsigned long)(total / rounds));
}

void test_latency_pong(const struct guest_env *env)
{
    domid_t peer = ipc_start(env, "latency-pong");
    uint32_t rounds = rounds_from(env);

    channel = ipc_connect(peer, "latency-pong");
    evtchn_set_handler(channel, on_ping);
    evtchn_send(channel);                   /* tell the ping side we are bound */
    while (READ_ONCE(pings_answered) < WARMUP_ROUNDS + rounds) {
        sti_hlt();
        cli();
    }
    /* Printing holds the CPU (a synchronous console): not while the ping
     * side still waits for our last reply to reach it. */
    sleep_ns(10 * GAP_NS);
    printk("latency-pong: answered %u pings\n", READ_ONCE(pings_answered));
}

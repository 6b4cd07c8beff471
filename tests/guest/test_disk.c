/*
 * test=disk (dom0): the PCI list, then the test disk on the secondary IDE
 * channel (ata1.0; the primary holds the ESP and is never touched) through
 * the block interface. Command-line words:
 *   disk_model=M     expected model, '_' standing for a space ("Generic_1234")
 *   disk_sectors=N   expected size in sectors
 *   disk_phase=P     write: write the pattern; verify: only read it back
 *                    (a second boot of the same image); both (default);
 *                    absent: no disk is attached, the probe must say so
 *                    within PROBE_MAX_MS; domu: run as a domU beside a
 *                    dom0 doing the above, find no device, and spend
 *                    disk_seconds (default 5) resetting the ATA channel and
 *                    writing commands to it through ports it does not own:
 *                    dom0's transfers must not notice
 *   disk_seed=S      pattern seed (default 1); disk_count=N sectors (1000)
 *   disk_dma=no      PIO only (before dom0 is identity-mapped, DMA is unsafe)
 *   disk_reps=N      repetitions of each 4 KiB benchmark (default 50)
 *   disk_irq=no      poll for completion; by default IRQ 15 is bound to an
 *                    event channel when the hypervisor offers PIRQs, and
 *                    interrupts delivered must equal those the device raised
 * Each sector of the pattern is derived from its LBA and the seed, so any
 * sector can be checked alone. Lines: PASS/FAIL: disk/<case>, then
 * "bench: disk_read_4k N (reps R, min A, max B)" (whole requests: in Bochs
 * mostly the emulated device's latency), "bench: disk_read_4k_path N ..."
 * (the same without the wait for the interrupt: the driver's own path), the
 * write twins, then "disk: done, N failures".
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "ata.h"
#include "block.h"
#include "clock.h"
#include "cmdline.h"
#include "console.h"
#include "hypercall.h"
#include "lib.h"
#include "pci.h"
#include "tests.h"

#define SECTOR       512
#define SCATTER_STEP 104729u            /* a prime: i * STEP mod N is distinct for i < N */
#define MAX_REPS     200
#define BENCH_SECTORS 8                 /* 4 KiB */
/* 150 KiB: two commands (256 + 44 sectors), the first with three PRD entries. */
#define MULTI_SECTORS 300
#define PROBE_MAX_MS  1000            /* an empty channel must be answered sooner */
#define TIMEOUT_MAX_MS 2500           /* the driver's 2 s deadline, and some slack */

/* 4 * 64 KiB, 64 KiB aligned: from big_buf + 32 KiB transfers straddle 64 KiB boundaries. */
static uint8_t big_buf[4 * 65536] __attribute__((aligned(65536)));
static uint8_t sector_buf[SECTOR] __attribute__((aligned(64)));
static uint8_t expect_buf[SECTOR] __attribute__((aligned(64)));

static unsigned int failures;

/* One line per case; the details follow FAIL only. */
#define CHECK(ok, name, fmt, ...)                                           \
    do {                                                                    \
        if (ok) {                                                           \
            printk("PASS: disk/%s\n", name);                                \
        } else {                                                            \
            failures++;                                                     \
            printk("FAIL: disk/%s " fmt "\n", name, ##__VA_ARGS__);         \
        }                                                                   \
    } while (0)

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Word 0 names the LBA and seed in the clear, for a person reading a hex dump. */
static void fill_pattern(uint8_t *buf, uint64_t lba, uint64_t seed)
{
    uint64_t *w = (uint64_t *)buf;

    w[0] = lba ^ seed << 48;
    for (unsigned int i = 1; i < SECTOR / 8; i++)
        w[i] = mix(lba * 64 + i + seed * 0x100000001ull);
}

static bool check_pattern(const uint8_t *buf, uint64_t lba, uint64_t seed)
{
    fill_pattern(expect_buf, lba, seed);
    for (unsigned int i = 0; i < SECTOR; i++) {
        if (buf[i] != expect_buf[i])
            return false;
    }
    return true;
}

static uint64_t scatter_lba(uint32_t i, uint64_t seed, uint64_t sectors)
{
    return ((uint64_t)i * SCATTER_STEP + seed) % sectors;
}

static bool model_matches(const char *model, const char *want)
{
    size_t i;

    for (i = 0; model[i] && want[i]; i++) {
        if (model[i] != (want[i] == '_' ? ' ' : want[i]))
            return false;
    }
    return model[i] == want[i];
}

static void check_pci(void)
{
    const struct pci_dev *ide;

    pci_init();
    ide = pci_find_class(0x01, 0x01, 0);
    CHECK(pci_find_class(0x06, 0x00, 0) != NULL, "pci-host-bridge",
          "no class 06.00 in %u functions", pci_count());
    CHECK(ide != NULL, "pci-ide-controller", "no class 01.01 in %u functions", pci_count());
    CHECK(ide && ide->bar[4].kind == PCI_BAR_IO && ide->bar[4].size == 16, "pci-ide-bar4-io-16",
          "BAR4 size %ld", ide ? (long)ide->bar[4].size : -1L);
}

/* Write then (or only) read back the scattered sectors, one DMA request each. */
static void scattered(struct block_dev *bd, uint32_t count, uint64_t seed, bool write, bool verify)
{
    uint32_t bad = 0, errors = 0;
    uint64_t first_bad = 0;
    int first_rc = 0;

    if (write) {
        for (uint32_t i = 0; i < count; i++) {
            uint64_t lba = scatter_lba(i, seed, bd->sectors);
            int rc;

            fill_pattern(sector_buf, lba, seed);
            rc = block_write(bd, lba, 1, sector_buf);
            if (rc && errors++ == 0)
                first_rc = rc, first_bad = lba;
        }
        CHECK(errors == 0, "scattered-write", "%u errors, first at lba %lu", errors,
              (unsigned long)first_bad);
        if (errors)
            printk("disk: first write error %s\n", block_strerror(first_rc));
        CHECK(block_flush(bd) == 0, "flush", "");
    }
    if (!verify)
        return;
    uint64_t irqs = ata_interrupts(1);
    errors = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t lba = scatter_lba(i, seed, bd->sectors);
        int rc;

        memset(sector_buf, 0, SECTOR);
        rc = block_read(bd, lba, 1, sector_buf);
        if (rc) {
            if (errors++ == 0)
                first_rc = rc;
        } else if (!check_pattern(sector_buf, lba, seed) && bad++ == 0) {
            first_bad = lba;
        }
    }
    irqs = ata_interrupts(1) - irqs;
    CHECK(errors == 0, "scattered-read", "%u errors (%s)", errors, block_strerror(first_rc));
    CHECK(bad == 0, "scattered-pattern", "%u sectors differ, first at lba %lu", bad,
          (unsigned long)first_bad);
    printk("disk: %u sectors checked, %u differ, %u errors, %lu interrupts\n", count, bad, errors,
           (unsigned long)irqs);
    CHECK(irqs == count, "one-interrupt-per-read", "%lu interrupts for %u reads",
          (unsigned long)irqs, count);
}

/*
 * One request of MULTI_SECTORS from a buffer that straddles 64 KiB
 * boundaries, then 8 sectors into a buffer 2 bytes past a 512-byte
 * boundary that crosses a 64 KiB one: a PRD entry ends inside a sector.
 */
static void multi_prd(struct block_dev *bd, uint64_t seed, bool write)
{
    uint8_t *buf = big_buf + 32768;
    uint64_t lba = bd->sectors / 2;
    uint32_t bad = 0;
    int rc = 0;

    if (write) {
        for (uint32_t i = 0; i < MULTI_SECTORS; i++)
            fill_pattern(buf + i * SECTOR, lba + i, seed);
        rc = block_write(bd, lba, MULTI_SECTORS, buf);
        CHECK(rc == 0, "multi-prd-write", "(%s)", block_strerror(rc));
    }
    memset(buf, 0, MULTI_SECTORS * SECTOR);
    rc = block_read(bd, lba, MULTI_SECTORS, buf);
    for (uint32_t i = 0; i < MULTI_SECTORS; i++)
        bad += !check_pattern(buf + i * SECTOR, lba + i, seed);
    CHECK(rc == 0 && bad == 0, "multi-prd-read", "(%s), %u sectors differ",
          block_strerror(rc), bad);

    buf = big_buf + 65536 - 2050;
    memset(buf, 0, 8 * SECTOR);
    rc = block_read(bd, lba, 8, buf);
    bad = 0;
    for (uint32_t i = 0; i < 8; i++)
        bad += !check_pattern(buf + i * SECTOR, lba + i, seed);
    CHECK(rc == 0 && bad == 0, "dma-prd-splits-a-sector", "(%s), %u sectors differ",
          block_strerror(rc), bad);
    CHECK(block_read(bd, lba, 1, big_buf + 1) == -XEN_EINVAL, "odd-buffer-refused", "");
}

/* PIO on a few of the scattered sectors: the same pattern again, so DMA's reads still hold. */
static void pio_cases(struct block_dev *bd, uint64_t seed, bool write)
{
    bool was_dma = ata_uses_dma(bd);
    uint32_t bad = 0;
    int rc = 0, worst = 0;

    ata_set_dma(bd, false);
    for (uint32_t i = 0; i < 8; i++) {
        uint64_t lba = scatter_lba(i * 97, seed, bd->sectors);

        if (write) {
            fill_pattern(sector_buf, lba, seed);
            if ((rc = block_write(bd, lba, 1, sector_buf)))
                worst = rc;
        }
        memset(sector_buf, 0, SECTOR);
        if ((rc = block_read(bd, lba, 1, sector_buf)))
            worst = rc;
        bad += !check_pattern(sector_buf, lba, seed);
    }
    CHECK(worst == 0 && bad == 0, write ? "pio-write-read" : "pio-read", "(%s), %u sectors differ",
          block_strerror(worst), bad);

    /* Many DRQ blocks in one command: the multi-PRD region again, by PIO. */
    uint8_t *buf = big_buf + 32768;
    uint64_t lba = bd->sectors / 2;

    worst = 0, bad = 0;
    if (write) {
        for (uint32_t i = 0; i < MULTI_SECTORS; i++)
            fill_pattern(buf + i * SECTOR, lba + i, seed);
        worst = block_write(bd, lba, MULTI_SECTORS, buf);
    }
    memset(buf, 0, MULTI_SECTORS * SECTOR);
    if ((rc = block_read(bd, lba, MULTI_SECTORS, buf)))
        worst = rc;
    for (uint32_t i = 0; i < MULTI_SECTORS; i++)
        bad += !check_pattern(buf + i * SECTOR, lba + i, seed);
    CHECK(worst == 0 && bad == 0, write ? "pio-multi-write-read" : "pio-multi-read",
          "(%s), %u sectors differ", block_strerror(worst), bad);
    ata_set_dma(bd, was_dma);
}

static void edge_cases(struct block_dev *bd)
{
    uint64_t n = bd->sectors;
    uint64_t t0;
    int rc;

    CHECK(block_read(bd, n, 1, sector_buf) == -XEN_EINVAL, "beyond-end-refused", "");
    CHECK(block_read(bd, n - 1, 2, sector_buf) == -XEN_EINVAL, "straddling-end-refused", "");
    CHECK(block_read(bd, ~0ull, 2, sector_buf) == -XEN_EINVAL, "wrapping-lba-refused", "");
    CHECK(block_write(bd, 0, 0, sector_buf) == -XEN_EINVAL, "zero-count-refused", "");
    CHECK(block_read(bd, n - 1, 1, sector_buf) == 0, "last-sector-readable", "");
    /* Sent to the device anyway: it must refuse, we must say so, in bounded time. */
    t0 = clock_now_ns();
    rc = ata_read_unchecked(bd, n, 1, sector_buf);
    CHECK(rc == -XEN_EIO, "device-refusal-is-eio", "(%s) after %lu us", block_strerror(rc),
          (unsigned long)((clock_now_ns() - t0) / NSEC_PER_USEC));
    CHECK(block_read(bd, 0, 1, sector_buf) == 0, "usable-after-error", "");
    /* The absent slave ignores commands (Bochs): the deadline must end the wait. */
    t0 = clock_now_ns();
    rc = ata_identify_unchecked(1, 1);
    t0 = (clock_now_ns() - t0) / NSEC_PER_MSEC;
    CHECK(rc == -XEN_ETIMEDOUT && t0 <= TIMEOUT_MAX_MS, "silent-drive-times-out",
          "(%s) after %lu ms", block_strerror(rc), (unsigned long)t0);
    CHECK(block_read(bd, 0, 1, sector_buf) == 0, "usable-after-timeout", "");
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static void sort(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++) {
        for (unsigned int j = i; j > 0 && cmp_u64(v[j - 1], v[j]) > 0; j--) {
            uint64_t t = v[j];

            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
}

/* Instructions (Bochs: TSC ticks) per 4 KiB DMA request, the same LBA each time. */
static void bench(struct block_dev *bd, uint64_t seed, unsigned int reps, bool write)
{
    static uint64_t t[MAX_REPS], path[MAX_REPS];
    uint64_t lba = bd->sectors / 4;
    int rc = 0;

    for (uint32_t i = 0; i < BENCH_SECTORS; i++)
        fill_pattern(big_buf + i * SECTOR, lba + i, seed);
    for (unsigned int r = 0; r < reps && rc == 0; r++) {
        uint64_t w0 = ata_wait_ticks(1), t0 = rdtsc();

        rc = write ? block_write(bd, lba, BENCH_SECTORS, big_buf) :
                     block_read(bd, lba, BENCH_SECTORS, big_buf);
        t[r] = rdtsc() - t0;
        path[r] = t[r] - (ata_wait_ticks(1) - w0);
    }
    if (rc) {
        CHECK(false, write ? "bench-write" : "bench-read", "(%s)", block_strerror(rc));
        return;
    }
    sort(t, reps);
    sort(path, reps);
    printk("bench: %s %lu (reps %u, min %lu, max %lu)\n", write ? "disk_write_4k" : "disk_read_4k",
           (unsigned long)t[reps / 2], reps, (unsigned long)t[0], (unsigned long)t[reps - 1]);
    /* The same requests without the time spent waiting for the device's interrupt. */
    printk("bench: %s %lu (reps %u, min %lu, max %lu)\n",
           write ? "disk_write_4k_path" : "disk_read_4k_path", (unsigned long)path[reps / 2], reps,
           (unsigned long)path[0], (unsigned long)path[reps - 1]);
}

/* A domU has no ports: everything it writes to the secondary channel is dropped. */
static void domu_pokes(uint32_t seconds)
{
    uint64_t end = clock_now_ns() + seconds * NSEC_PER_SEC, n = 0;
    bool all_ones = true;

    pci_init();
    CHECK(pci_count() == 0, "domu-sees-no-pci", "%u functions", pci_count());
    CHECK(ata_init(ATA_CHANNEL_MASK(1)) == -XEN_ENODEV && block_count() == 0, "domu-finds-no-disk",
          "%u disks", block_count());
    while (clock_now_ns() < end) {
        outb(0x376, 0x04);              /* SRST: would abort whatever dom0 runs */
        outb(0x176, 0xe0);
        outb(0x177, 0xec);              /* IDENTIFY: would leave DRQ set under dom0 */
        all_ones &= inb(0x177) == 0xff && inb(0x376) == 0xff;
        n++;
        hyp_sched_op(SCHEDOP_YIELD, 0);
    }
    CHECK(all_ones, "domu-reads-all-ones", "");
    printk("disk: domu wrote the ATA ports %lu times\n", (unsigned long)n);
}

void test_disk(const struct guest_env *env)
{
    char phase[16] = "both", model[BLOCK_MODEL_LEN + 1], dma[8] = "yes", irq[8] = "yes";
    uint64_t seen0 = 0, delivered0 = 0;
    bool bound = false;
    uint32_t want_sectors = 0, seed = 1, count = 1000, reps = 50;
    bool have_model, have_sectors, write, verify;
    struct block_dev *bd;
    uint64_t t0;

    cmdline_get(env->cmdline, "disk_phase", phase, sizeof(phase));
    if (strcmp(phase, "domu") == 0) {
        uint32_t seconds = 5;

        cmdline_get_uint(env->cmdline, "disk_seconds", &seconds);
        domu_pokes(seconds);
        goto done;
    }
    check_pci();
    cmdline_get(env->cmdline, "disk_dma", dma, sizeof(dma));
    cmdline_get(env->cmdline, "disk_irq", irq, sizeof(irq));
    have_model = cmdline_get(env->cmdline, "disk_model", model, sizeof(model));
    have_sectors = cmdline_get_uint(env->cmdline, "disk_sectors", &want_sectors);
    cmdline_get_uint(env->cmdline, "disk_seed", &seed);
    cmdline_get_uint(env->cmdline, "disk_count", &count);
    cmdline_get_uint(env->cmdline, "disk_reps", &reps);
    if (reps == 0 || reps > MAX_REPS)
        reps = MAX_REPS;
    write = strcmp(phase, "verify") != 0;
    verify = strcmp(phase, "write") != 0;

    t0 = clock_now_ns();
    ata_init(ATA_CHANNEL_MASK(1));
    t0 = (clock_now_ns() - t0) / NSEC_PER_USEC;
    printk("disk: probe took %lu us\n", (unsigned long)t0);
    CHECK(block_find("ata1.1") == NULL, "absent-slave-not-registered", "");
    if (strcmp(phase, "absent") == 0) {
        CHECK(block_find("ata1.0") == NULL, "absent-master-not-registered", "");
        CHECK(t0 < PROBE_MAX_MS * 1000, "absent-probe-bounded", "%lu us", (unsigned long)t0);
        goto done;
    }
    bd = block_find("ata1.0");
    CHECK(bd != NULL, "found-ata1-master", "%u disks", block_count());
    if (!bd)
        goto done;
    printk("disk: %s model '%s' sectors %lu\n", bd->name, bd->model, (unsigned long)bd->sectors);
    if (have_model)
        CHECK(model_matches(bd->model, model), "identify-model", "'%s'", bd->model);
    if (have_sectors)
        CHECK(bd->sectors == want_sectors, "identify-sectors", "%lu, expected %u",
              (unsigned long)bd->sectors, want_sectors);
    if (strcmp(dma, "no") == 0)
        ata_set_dma(bd, false);
    else
        CHECK(ata_uses_dma(bd), "uses-dma", "");
    if (count > bd->sectors || (bd->sectors % SCATTER_STEP) == 0)
        count = 0;
    if (strcmp(irq, "no") != 0) {
        int rc = ata_bind_irq(1);

        bound = rc == 0;
        printk("disk: completion by %s (%s)\n", bound ? "event channel" : "polling",
               block_strerror(rc));
        seen0 = ata_interrupts(1);
        delivered0 = ata_interrupts_delivered(1);
    }

    scattered(bd, count, seed, write, verify);
    multi_prd(bd, seed, write);
    pio_cases(bd, seed, write);
    edge_cases(bd);
    if (write) {
        bench(bd, seed, reps, false);
        bench(bd, seed, reps, true);
    }
    printk("disk: %lu interrupts on channel 1 (irq %u), %lu delivered as events, mode %s\n",
           (unsigned long)ata_interrupts(1), ata_irq(1),
           (unsigned long)ata_interrupts_delivered(1), ata_uses_dma(bd) ? "DMA" : "PIO");
    if (bound) {
        uint64_t seen = ata_interrupts(1) - seen0;
        uint64_t delivered = ata_interrupts_delivered(1) - delivered0;

        CHECK(ata_irq_bound(1), "event-channel-kept", "an interrupt was lost");
        CHECK(seen == delivered, "interrupts-delivered-match", "%lu raised, %lu delivered",
              (unsigned long)seen, (unsigned long)delivered);
    }
done:
    printk("disk: done, %u failures\n", failures);
}

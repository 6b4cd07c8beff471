/*
 * spcr_parse over tables built to Microsoft's SPCR layout: I/O and MMIO
 * 16550s, every baud rate code, the revision 3 UART clock and revision 4
 * precise baud rate, and the tables it must refuse (short, bad checksum,
 * redirection disabled, other UARTs, other address spaces, bad rates).
 */
#include <string.h>
#include "check.h"
#include "arch/spcr.h"

CHECK_SUITE("spcr");

static uint8_t table[128];
static uint32_t len;

static void put32(uint32_t off, uint32_t v) { memcpy(table + off, &v, 4); }

/* Fix the checksum (byte 9) so that the whole table sums to zero. */
static void seal(void)
{
    uint8_t sum = 0;
    table[9] = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += table[i];
    table[9] = (uint8_t)-sum;
}

/* A revision 2 SPCR: COM1 as the spec's own example writes it (I/O space,
 * 8-bit registers, byte access, 0x3f8), 115200 baud, GSI 4 on the I/O APIC. */
static void com1(void)
{
    memset(table, 0, sizeof table);
    len = 80;
    memcpy(table, "SPCR", 4);
    put32(4, len);
    table[8] = 2;                       /* revision */
    table[36] = 0x00;                   /* full 16550 */
    table[40] = 1;                      /* GAS: system I/O */
    table[41] = 8;                      /* register bit width */
    table[43] = 1;                      /* byte access */
    uint64_t base = 0x3f8;
    memcpy(table + 44, &base, 8);
    table[52] = 1u << 1;                /* interrupt type: I/O APIC */
    table[53] = 4;                      /* PC-AT IRQ */
    put32(54, 4);                       /* GSI */
    table[58] = 7;                      /* 115200 */
    table[60] = 1;                      /* one stop bit */
    table[62] = 0;                      /* VT100 */
    table[64] = 0xff;                   /* not a PCI device */
    table[65] = 0xff;
    table[66] = 0xff;
    table[67] = 0xff;
    seal();
}

static int parse(struct spcr_uart *u, const char **why)
{
    *why = NULL;
    return spcr_parse(table, len, u, why);
}

int main(void)
{
    struct spcr_uart u;
    const char *why;

    com1();
    CHECK("io-uart-accepted", parse(&u, &why) == 0);
    CHECK("io-uart-port", !u.mmio && u.base == 0x3f8 && u.reg_bits == 8);
    CHECK("io-uart-115200-divisor-1", u.baud == 115200 && u.divisor == 1);
    CHECK("io-uart-gsi", u.has_gsi && u.gsi == 4);

    com1();
    uint64_t com2 = 0x2f8;
    memcpy(table + 44, &com2, 8);
    table[52] = 1;                      /* dual-8259 IRQ only: no GSI */
    seal();
    CHECK("com2-accepted", parse(&u, &why) == 0 && u.base == 0x2f8 && !u.has_gsi);

    /* Each configured-baud code, and the divisor a 1.8432 MHz UART needs. */
    static const struct { uint8_t code; uint32_t baud, divisor; } rates[] = {
        { 3, 9600, 12 }, { 4, 19200, 6 }, { 6, 57600, 2 }, { 7, 115200, 1 }, { 0, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        com1();
        table[58] = rates[i].code;
        seal();
        CHECK("baud-code", parse(&u, &why) == 0 && u.baud == rates[i].baud &&
                               u.divisor == rates[i].divisor);
    }
    static const uint8_t bad_codes[] = { 1, 2, 5, 8, 0xff };
    for (unsigned i = 0; i < sizeof bad_codes; i++) {
        com1();
        table[58] = bad_codes[i];
        seal();
        CHECK("reserved-baud-code-refused", parse(&u, &why) == -1 && why &&
                                                strstr(why, "baud rate code"));
    }

    /* Revision 3's UART clock and revision 4's precise baud rate. */
    com1();
    len = 88;
    put32(4, len);
    table[8] = 4;
    put32(76, 24000000);                /* a 24 MHz UART clock */
    put32(80, 1500000);                 /* precise: 1.5 Mbaud, overrides code 7 */
    seal();
    CHECK("precise-baud-and-clock", parse(&u, &why) == 0 && u.baud == 1500000 && u.divisor == 1);
    put32(80, 0);
    seal();
    CHECK("precise-zero-uses-code", parse(&u, &why) == 0 && u.baud == 115200 && u.divisor == 13);
    table[8] = 2;                       /* revision 2: those fields are not there */
    put32(76, 24000000);
    put32(80, 1500000);
    seal();
    CHECK("revision-2-ignores-new-fields", parse(&u, &why) == 0 && u.baud == 115200 &&
                                               u.divisor == 1);
    com1();
    table[8] = 4;
    len = 88;
    put32(4, len);
    put32(80, 1000000);                 /* 1 Mbaud from 1.8432 MHz: no divisor */
    seal();
    CHECK("unreachable-baud-refused", parse(&u, &why) == -1 && strstr(why, "not reachable"));

    /* An MMIO 16550 with the GAS subtype and 32-bit registers: decoded, MMIO. */
    com1();
    table[36] = 0x12;
    table[40] = 0;                      /* system memory */
    table[41] = 32;
    table[43] = 3;                      /* dword access */
    uint64_t mmio = 0xfedc9000ull;
    memcpy(table + 44, &mmio, 8);
    seal();
    CHECK("mmio-uart-decoded", parse(&u, &why) == 0 && u.mmio && u.base == 0xfedc9000ull &&
                                   u.reg_bits == 32 && u.interface == 0x12);

    com1();
    table[36] = 0x01;                   /* 16450 subset */
    seal();
    CHECK("16450-subset-accepted", parse(&u, &why) == 0);

    /* Refusals. */
    com1();
    table[20] ^= 0x55;                  /* OEM table id changed, checksum not */
    CHECK("bad-checksum-refused", parse(&u, &why) == -1 && strstr(why, "checksum"));
    com1();
    memcpy(table, "SPCX", 4);
    seal();
    CHECK("bad-signature-refused", parse(&u, &why) == -1);
    com1();
    len = 79;
    seal();
    CHECK("short-table-refused", parse(&u, &why) == -1 && strstr(why, "shorter"));
    len = 36;
    CHECK("header-only-refused", parse(&u, &why) == -1);
    CHECK("empty-refused", spcr_parse(table, 0, &u, &why) == -1);
    static const uint8_t others[] = { 0x03 /* PL011 */, 0x0e /* SBSA */, 0x10, 0x11, 0x13, 0xff };
    for (unsigned i = 0; i < sizeof others; i++) {
        com1();
        table[36] = others[i];
        seal();
        CHECK("unknown-interface-refused", parse(&u, &why) == -1 && strstr(why, "16550"));
    }
    com1();
    memset(table + 44, 0, 8);
    seal();
    CHECK("disabled-redirection-refused", parse(&u, &why) == -1 && strstr(why, "disabled"));
    com1();
    table[40] = 2;                      /* PCI configuration space */
    seal();
    CHECK("other-space-refused", parse(&u, &why) == -1 && strstr(why, "neither"));
    com1();
    uint64_t edge = 0xfffc;
    memcpy(table + 44, &edge, 8);
    seal();
    CHECK("io-base-past-64k-refused", parse(&u, &why) == -1);
    return check_failures != 0;
}

/* The CMOS real-time clock, read once to give guests a wall clock. */
#include "arch/x86.h"
#include "hv/arch.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define NMI_DISABLE 0x80
enum { RTC_SEC = 0x00, RTC_MIN = 0x02, RTC_HOUR = 0x04, RTC_DAY = 0x07, RTC_MONTH = 0x08,
       RTC_YEAR = 0x09, RTC_STATUS_A = 0x0a, RTC_STATUS_B = 0x0b, RTC_CENTURY = 0x32 };
#define STATUS_A_UPDATING 0x80
#define STATUS_B_BINARY   0x04
#define STATUS_B_24HOUR   0x02
#define HOUR_PM           0x80

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, NMI_DISABLE | reg);
    return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, bool binary)
{
    return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

uint64_t arch_wallclock_seconds(void)
{
    uint8_t sec, min, hour, day, mon, year, century, again;
    /* Read twice until equal, outside an update cycle (bounded wait). */
    for (int tries = 0; tries < 1000; tries++) {
        while (cmos_read(RTC_STATUS_A) & STATUS_A_UPDATING && tries++ < 1000)
            pause();
        sec = cmos_read(RTC_SEC);
        min = cmos_read(RTC_MIN);
        hour = cmos_read(RTC_HOUR);
        day = cmos_read(RTC_DAY);
        mon = cmos_read(RTC_MONTH);
        year = cmos_read(RTC_YEAR);
        century = cmos_read(RTC_CENTURY);
        again = cmos_read(RTC_SEC);
        if (again == sec)
            break;
    }
    uint8_t b = cmos_read(RTC_STATUS_B);
    bool binary = b & STATUS_B_BINARY;
    bool pm = !(b & STATUS_B_24HOUR) && (hour & HOUR_PM);
    unsigned h = from_bcd(hour & ~HOUR_PM, binary) % 24;
    if (!(b & STATUS_B_24HOUR))
        h = (h % 12) + (pm ? 12 : 0);   /* 12 AM is hour 0, 12 PM hour 12 */
    unsigned c = from_bcd(century, binary);
    unsigned y = (c >= 19 && c <= 30 ? c : 20) * 100 + from_bcd(year, binary);
    unsigned m = from_bcd(mon, binary), d = from_bcd(day, binary);
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;               /* no believable RTC: guests see 1970 */
    return days_from_civil(y, m, d) * 86400 + h * 3600 + from_bcd(min, binary) * 60 +
           from_bcd(sec, binary);
}

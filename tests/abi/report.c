/* One line per case, and the closing count (abi.h). */
#include "abi.h"
#include "console.h"

static unsigned int passed, failed, skipped;

void abi_pass(const char *family, const char *name)
{
    passed++;
    printk("abi: %s.%s: PASS\n", family, name);
}

void abi_skip(const char *family, const char *name, const char *reason)
{
    skipped++;
    printk("abi: %s.%s: SKIP: %s\n", family, name, reason);
}

bool abi_expect(const char *family, const char *name, long got, long want)
{
    return abi_expect_sfx(family, name, NULL, got, want);
}

bool abi_expect_sfx(const char *family, const char *name, const char *suffix, long got,
                    long want)
{
    const char *dash = suffix ? "-" : "";

    if (!suffix)
        suffix = "";
    if (got == want) {
        passed++;
        printk("abi: %s.%s%s%s: PASS\n", family, name, dash, suffix);
        return true;
    }
    failed++;
    printk("abi: %s.%s%s%s: FAIL: got %ld expected %ld\n", family, name, dash, suffix, got,
           want);
    return false;
}

bool abi_check(const char *family, const char *name, bool ok, const char *what, long value)
{
    if (ok) {
        abi_pass(family, name);
        return true;
    }
    failed++;
    printk("abi: %s.%s: FAIL: %s (%ld)\n", family, name, what, value);
    return false;
}

unsigned int abi_summary(void)
{
    printk("abi: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
    return failed;
}

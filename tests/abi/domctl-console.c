/*
 * Family `domctl`, sub-op MICA_DOMCTL_CONSOLE (docs/abi.md, "Console
 * input"): dom0 attaches the serial console's input to the peer's console
 * ring, sees getinfo say so, is refused for itself, for the domain that
 * has gone, for an absent one and for a bad op or pad with the peer still
 * attached, and detaches; every case ends with the input back with dom0.
 * Nobody types during the suite, so no byte moves. A domU gets -EPERM for
 * every one, before its argument is read.
 */
#include <stdint.h>

#include <public/domctl.h>

#include "abi.h"
#include "control.h"
#include "lib.h"

#define F "domctl"
#define JUNK 0xA5

static struct mica_domctl console_req(domid_t dom, uint32_t op, uint32_t pad)
{
    struct mica_domctl r;

    memset(&r, JUNK, sizeof r);     /* OUT fields' input values are ignored */
    r.cmd = MICA_DOMCTL_CONSOLE;
    r.interface_version = MICA_DOMCTL_INTERFACE_VERSION;
    r.domain = dom;
    r.pad[0] = r.pad[1] = r.pad[2] = 0;
    r.u.console.op = op;
    r.u.console.pad = pad;
    return r;
}

static long console(domid_t dom, uint32_t op, uint32_t pad, struct mica_domctl *out)
{
    *out = console_req(dom, op, pad);
    return hyp_domctl((uintptr_t)out);
}

static long priv(long dom0)
{
    return abi_priv(dom0, -XEN_EPERM);
}

/* getinfo of `dom`: 0 and its answer, or the error. */
static long info(domid_t dom, struct mica_domctl_console *c)
{
    struct mica_domctl r;
    long rc = console(dom, MICA_CONSOLE_GETINFO, 0, &r);

    *c = r.u.console;
    return rc;
}

static long badptr_call(uint64_t addr, void *ctx)
{
    (void)ctx;
    return hyp_domctl(addr);
}

void abi_domctl_console_cases(void)
{
    struct mica_domctl r;
    struct mica_domctl_console c;
    long rc;

    rc = info(DOMID_SELF, &c);
    if (abi.privileged)
        abi_check(F, "console-getinfo", rc == 0 && c.focus == 0 && c.attached == 0 &&
                  c.op == MICA_CONSOLE_GETINFO && c.pad == 0, "rc, or focus not dom0",
                  rc ? rc : (long)c.focus);
    else
        abi_expect(F, "console-getinfo", rc, -XEN_EPERM);
    abi_expect(F, "console-detach-idle", console(DOMID_SELF, MICA_CONSOLE_DETACH, 0, &r),
               priv(0));

    /* Attach the peer; while it has the input, the refusals change nothing. */
    rc = console(abi.peer, MICA_CONSOLE_ATTACH, 0, &r);
    if (abi.privileged) {
        long got = rc ? rc : info(abi.peer, &c);
        abi_check(F, "console-attach-peer", got == 0 && c.focus == abi.peer && c.attached == 1,
                  "rc, or focus", got ? got : (long)c.focus);
        got = info(DOMID_SELF, &c);
        abi_check(F, "console-getinfo-other", got == 0 && c.focus == abi.peer && c.attached == 0,
                  "rc, or focus", got ? got : (long)c.focus);
    } else {
        abi_expect(F, "console-attach-peer", rc, -XEN_EPERM);
        abi_expect(F, "console-getinfo-other", info(abi.peer, &c), -XEN_EPERM);
    }
    abi_expect(F, "console-attach-self", console(DOMID_SELF, MICA_CONSOLE_ATTACH, 0, &r),
               priv(-XEN_EINVAL));
    abi_expect(F, "console-attach-gone", console(abi.gone, MICA_CONSOLE_ATTACH, 0, &r),
               priv(-XEN_ESRCH));
    abi_expect(F, "console-attach-absent", console(abi.absent, MICA_CONSOLE_ATTACH, 0, &r),
               priv(-XEN_ESRCH));
    abi_expect(F, "console-op-unknown", console(abi.peer, 3, 0, &r), priv(-XEN_EINVAL));
    abi_expect(F, "console-op-max", console(abi.peer, ~0u, 0, &r), priv(-XEN_EINVAL));
    abi_expect(F, "console-pad", console(abi.peer, MICA_CONSOLE_DETACH, 1, &r),
               priv(-XEN_EINVAL));
    rc = info(abi.peer, &c);
    if (abi.privileged)
        abi_check(F, "console-refusals-keep-focus", rc == 0 && c.focus == abi.peer,
                  "rc, or focus", rc ? rc : (long)c.focus);
    else
        abi_expect(F, "console-refusals-keep-focus", rc, -XEN_EPERM);

    rc = console(DOMID_SELF, MICA_CONSOLE_DETACH, 0, &r);
    if (abi.privileged) {
        long got = rc ? rc : info(abi.peer, &c);
        abi_check(F, "console-detach", got == 0 && c.focus == 0 && c.attached == 0,
                  "rc, or focus", got ? got : (long)c.focus);
    } else {
        abi_expect(F, "console-detach", rc, -XEN_EPERM);
    }

    r = console_req(DOMID_SELF, MICA_CONSOLE_GETINFO, 0);
    abi_badptr_cases(F, "console", true, &r, sizeof r, badptr_call, NULL, priv(-XEN_EFAULT));
}

/*
 * Test actions selected by `test=<action>` on the command line. Each prints
 * one parseable line per case (`PASS: <group>/<case>` or
 * `FAIL: <group>/<case> <details>`) for the system tests to grep, and may
 * end the domain itself (e.g. ept-probe).
 */
#ifndef GUEST_TESTS_H
#define GUEST_TESTS_H

#include <stdbool.h>
#include <stdint.h>

#include <public/hvm_start_info.h>

#include "guest.h"

/* Actions that live in their own files. */
void test_abi(const struct guest_env *env);
void test_sleep(const struct guest_env *env);
void test_smp(const struct guest_env *env);
void test_cpu_hog(const struct guest_env *env);
/* The hypercall ABI conformance suite: tests/abi/conformance.c. */
void test_conformance(const struct guest_env *env);
/* A domain its boot line's deny= restricts: tests/abi/hypercall.c. */
void test_restricted(const struct guest_env *env);
/* A domain that switches to FIFO event channels: tests/abi/event_channel_op-fifo.c. */
void test_evtchn_fifo(const struct guest_env *env);
void test_fuzz(const struct guest_env *env);       /* test_fuzz.c */
void test_insn_fuzz(const struct guest_env *env);  /* test_insn.c */
void test_disk(const struct guest_env *env);       /* test_disk.c: dom0 only */
void test_devices_dom0(const struct guest_env *env);   /* test_devices.c */
void test_devices_domu(const struct guest_env *env);
void test_net(const struct guest_env *env);        /* test_net.c */
void test_balloon(const struct guest_env *env);    /* test_balloon.c: a domU */
void test_balloon_follow(const struct guest_env *env);
void test_unbacked(const struct guest_env *env);   /* test_unbacked.c: a domU */
void test_xenstore(const struct guest_env *env);   /* test_xenstore.c: a domU of the toolstack */
void test_xenstore_wild(const struct guest_env *env);
void test_console_echo(const struct guest_env *env);   /* test_console_echo.c: domU only */
void test_vlapic(const struct guest_env *env);     /* test_vlapic.c: a domU */
void test_nmi_crash(const struct guest_env *env);  /* test_vlapic.c: a domU */

/* Run `code` (ending in ret) with regs[] loaded and a catch armed with
 * `resume` (guest-pv/kernel/idt.h): 0, or 1 if the catch fired (insn_exec.asm). */
struct trap_resume;
int insn_exec(uint64_t regs[16], const void *code, struct trap_resume *resume);

#endif

/*
 * dom0's toolstack (docs/toolstack.md): a shell of commands that create,
 * list, pause, shut down and destroy domains, run from a script (a boot
 * module named by script=) and, with shell=yes, interactively from the
 * console.
 */
#ifndef TOOLSTACK_H
#define TOOLSTACK_H

#include <stdbool.h>

#include <public/abi.h>

#include "guest.h"

/* Runs the script, then the interactive shell if asked; returns when told
 * to power off (the caller returns from image_main). */
void toolstack_main(const struct guest_env *env);

/* ---- inside the toolstack ---- */

/* The command's own words: at most SHELL_MAX_ARGS, each NUL-terminated. */
#define SHELL_MAX_ARGS 32
struct shell_args {
    int argc;
    char *argv[SHELL_MAX_ARGS];
    const char *rest;           /* the line after the command word, as typed */
};

/* Each returns 0, or -1 after printing one line saying what went wrong. */
int cmd_list(const struct shell_args *a);
int cmd_create(const struct shell_args *a);
int cmd_destroy(const struct shell_args *a);
int cmd_shutdown(const struct shell_args *a);
int cmd_reboot(const struct shell_args *a);
int cmd_pause(const struct shell_args *a);
int cmd_unpause(const struct shell_args *a);
int cmd_sched(const struct shell_args *a);
int cmd_vcpu_pin(const struct shell_args *a);
int cmd_info(const struct shell_args *a);
int cmd_wait(const struct shell_args *a);
int cmd_dmesg(const struct shell_args *a);
int cmd_top(const struct shell_args *a);
int cmd_console(const struct shell_args *a);          /* console_attach.c */
int cmd_mem_set(const struct shell_args *a);          /* mem_set.c */
int cmd_xenstore_ls(const struct shell_args *a);      /* xenstore_cmds.c */
int cmd_xenstore_read(const struct shell_args *a);
int cmd_xenstore_write(const struct shell_args *a);

struct mica_domctl_getdomaininfo;
/* "running", "blocked", "paused", "building", "shutdown", "crashed", "destroyed". */
const char *domain_state_name(const struct mica_domctl_getdomaininfo *i);
/* The domain a word names, an id or a name: its id and info; false if none. */
bool find_domain(const char *word, domid_t *id, struct mica_domctl_getdomaininfo *i);

/* The domain a command's word names: its id, or its name (domains.c). */
bool toolstack_find_domain(const char *word, domid_t *id, struct mica_domctl_getdomaininfo *i);

/* The boot modules, for create's kernel= (domains.c). */
void domains_init(const struct guest_env *env);
/* VIRQ_DOM_EXC came: report and reap every domain that has stopped;
 * before_report (may be NULL) runs before the first report line. */
void domains_reap(void (*before_report)(void));
/* Set by VIRQ_DOM_EXC, cleared by domains_reap. */
extern volatile bool domains_changed;

#endif

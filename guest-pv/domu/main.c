/*
 * An unprivileged domain's own work. Its frontends (console, block, net)
 * start here as they land. Until then it shows that its timer works and
 * powers off.
 */
#include "guest.h"
#include "timer.h"

/* Ticks to wait for, to show the timer path works. */
#define BOOT_TICKS 3

void image_main(const struct guest_env *env)
{
    (void)env;
    timer_show_ticks(BOOT_TICKS);
}

/*
 * Following the toolstack's memory target, as Xen's balloon drivers do: a
 * watch on the domain's memory/target (KiB, written by dom0's mem-set), and
 * on each event the balloon (balloon.h) moves the domain toward it.
 */
#ifndef GUEST_BALLOON_TARGET_H
#define GUEST_BALLOON_TARGET_H

#include <stdbool.h>

/* Connect to the store and watch memory/target; false if there is no store. */
bool balloon_target_start(void);
/* Wait for the next change of the target and follow it; returns after each
 * event (false: the store is gone or broken). Prints one line per change. */
bool balloon_target_follow(void);

#endif

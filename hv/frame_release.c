/*
 * The machine-wide rule for a frame its owner gives back: a page is freed only
 * when no domain can reach it any more, so it waits for the last grant
 * mapping of it (hv/grant_table.c keeps those) to go.
 */
#include "hv/frame.h"
#include "hv/grant_table.h"

void domain_release_frame(paddr_t frame)
{
    if (!grant_hold_mapped_frame(frame))
        frame_free(frame);
}

/*
 * A line editor for dom0's console, with no I/O of its own: the caller
 * feeds it the bytes typed, one at a time, and it hands back each finished
 * line; what the terminal should show goes out through the echo callback.
 *
 * Keys: printable ASCII inserts at the cursor (BEL when the line is full);
 * backspace (0x08, 0x7f) deletes before the cursor; Ctrl-U kills the line;
 * Ctrl-C discards it; CR, LF and CR LF each end it once; up/down (ESC [ A /
 * ESC [ B, ESC O A / ESC O B) and Ctrl-P/Ctrl-N walk the last
 * LINE_EDIT_HISTORY lines; left/right (ESC [ D / C, Ctrl-B/Ctrl-F), Home/End
 * (ESC [ H / F, ESC [ 1~ / 4~, Ctrl-A/Ctrl-E) and Delete (ESC [ 3~) move and
 * edit within it. Any other control byte, byte above 0x7e or escape
 * sequence is consumed and ignored.
 *
 * The echo uses printable characters, backspace, CR LF and BEL only, no
 * terminal escapes: Mica's console (docs/abi.md, CONSOLEIO_write) and any
 * terminal then agree on what the line looks like.
 */
#ifndef TOOLSTACK_LINE_EDIT_H
#define TOOLSTACK_LINE_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_EDIT_MAX     128   /* characters in a line, without the NUL */
#define LINE_EDIT_HISTORY 16    /* lines kept for recall */

/* Bytes the terminal should show; len >= 1. */
typedef void (*line_edit_echo_t)(void *ctx, const char *s, size_t len);

enum line_edit_result {
    LINE_EDIT_MORE,             /* the line goes on */
    LINE_EDIT_LINE,             /* enter: line_edit_text() holds the line */
    LINE_EDIT_CANCEL,           /* Ctrl-C: the line was discarded */
};

struct line_edit {
    line_edit_echo_t echo;
    void *ctx;
    char buf[LINE_EDIT_MAX + 1];
    size_t len, cursor;
    char done[LINE_EDIT_MAX + 1];       /* the last finished line */
    char saved[LINE_EDIT_MAX + 1];      /* the line being typed, while browsing */
    char history[LINE_EDIT_HISTORY][LINE_EDIT_MAX + 1];
    unsigned int hist_count;            /* lines kept, up to LINE_EDIT_HISTORY */
    unsigned int hist_next;             /* slot the next line goes to */
    unsigned int hist_pos;              /* 0: own line; k: the k-th newest shown */
    unsigned int esc;                   /* escape-sequence state (line_edit.c) */
    unsigned int esc_param;             /* first CSI parameter, capped */
    bool after_cr;                      /* a CR ended the last line: skip one LF */
};

void line_edit_init(struct line_edit *le, line_edit_echo_t echo, void *ctx);
/* Feed one byte typed. */
enum line_edit_result line_edit_feed(struct line_edit *le, unsigned char c);
/* The line finished by the last LINE_EDIT_LINE, NUL-terminated. */
const char *line_edit_text(const struct line_edit *le);

#endif

/*
 * The line editor (line_edit.h). The screen is redrawn with backspaces,
 * spaces and the characters themselves: moving left is "\b", moving right
 * re-prints the character passed over, and a change in the middle prints
 * the rest of the line again, blanks what is left over and backs up to the
 * cursor. The cursor on screen is always le->cursor characters from the
 * start of the line.
 */
#include "line_edit.h"

#define CTRL(c) ((c) & 0x1f)
#define ESC     0x1b
#define BEL     0x07
#define DEL     0x7f

/* Escape sequences: ESC, then '[' (CSI: parameters, a final byte) or 'O' (SS3: one byte). */
enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };
#define ESC_PARAM_CAP 1000      /* larger parameters mean nothing to us */

/* Echo is gathered and sent in pieces of this size. */
struct out {
    struct line_edit *le;
    size_t used;
    char data[64];
};

static void out_flush(struct out *o)
{
    if (o->used && o->le->echo)
        o->le->echo(o->le->ctx, o->data, o->used);
    o->used = 0;
}

static void out_char(struct out *o, char c)
{
    if (o->used == sizeof o->data)
        out_flush(o);
    o->data[o->used++] = c;
}

static void out_repeat(struct out *o, char c, size_t n)
{
    while (n--)
        out_char(o, c);
}

static void out_text(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out_char(o, s[i]);
}

static size_t text_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void text_copy(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
    dst[n] = '\0';
}

static bool text_equal(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void line_edit_init(struct line_edit *le, line_edit_echo_t echo, void *ctx)
{
    char *p = (char *)le;
    for (size_t i = 0; i < sizeof *le; i++)
        p[i] = 0;
    le->echo = echo;
    le->ctx = ctx;
}

const char *line_edit_text(const struct line_edit *le)
{
    return le->done;
}

/* The k-th newest history line, 1 <= k <= hist_count. */
static const char *history_line(const struct line_edit *le, unsigned int k)
{
    return le->history[(le->hist_next + LINE_EDIT_HISTORY - k) % LINE_EDIT_HISTORY];
}

static void history_add(struct line_edit *le, const char *s, size_t n)
{
    if (n == 0 || (le->hist_count && text_equal(history_line(le, 1), s)))
        return;                 /* nothing to recall, or the same as the last one */
    text_copy(le->history[le->hist_next], s, n);
    le->hist_next = (le->hist_next + 1) % LINE_EDIT_HISTORY;
    if (le->hist_count < LINE_EDIT_HISTORY)
        le->hist_count++;
}

/* Show buf[from, len) from the cursor's place, blank `extra` cells after it,
 * then back up to where the cursor belongs. */
static void redraw_tail(struct out *o, struct line_edit *le, size_t from, size_t extra)
{
    out_text(o, le->buf + from, le->len - from);
    out_repeat(o, ' ', extra);
    out_repeat(o, '\b', le->len - le->cursor + extra);
}

static void reset_line(struct line_edit *le)
{
    le->len = le->cursor = 0;
    le->buf[0] = '\0';
    le->hist_pos = 0;
}

/* Replace the whole line by s (cursor at its end). */
static void set_line(struct out *o, struct line_edit *le, const char *s)
{
    size_t old = le->len, n = text_len(s);

    out_repeat(o, '\b', le->cursor);
    text_copy(le->buf, s, n);
    le->len = le->cursor = n;
    out_text(o, le->buf, n);
    if (old > n) {
        out_repeat(o, ' ', old - n);
        out_repeat(o, '\b', old - n);
    }
}

static void insert(struct out *o, struct line_edit *le, char c)
{
    if (le->len == LINE_EDIT_MAX) {
        out_char(o, BEL);
        return;
    }
    for (size_t i = le->len; i > le->cursor; i--)
        le->buf[i] = le->buf[i - 1];
    le->buf[le->cursor] = c;
    le->buf[++le->len] = '\0';
    out_char(o, c);
    le->cursor++;
    redraw_tail(o, le, le->cursor, 0);
}

/* Delete the character at `at` (the cursor is already there on screen). */
static void delete_at(struct out *o, struct line_edit *le, size_t at)
{
    for (size_t i = at; i < le->len; i++)
        le->buf[i] = le->buf[i + 1];
    le->len--;
    redraw_tail(o, le, at, 1);
}

static void backspace(struct out *o, struct line_edit *le)
{
    if (le->cursor == 0) {
        out_char(o, BEL);
        return;
    }
    le->cursor--;
    out_char(o, '\b');
    delete_at(o, le, le->cursor);
}

static void delete_forward(struct out *o, struct line_edit *le)
{
    if (le->cursor == le->len)
        out_char(o, BEL);
    else
        delete_at(o, le, le->cursor);
}

static void kill_line(struct out *o, struct line_edit *le)
{
    out_repeat(o, '\b', le->cursor);
    out_repeat(o, ' ', le->len);
    out_repeat(o, '\b', le->len);
    le->len = le->cursor = 0;
    le->buf[0] = '\0';
}

static void move_left(struct out *o, struct line_edit *le, size_t n)
{
    if (n > le->cursor)
        n = le->cursor;
    out_repeat(o, '\b', n);
    le->cursor -= n;
}

static void move_right(struct out *o, struct line_edit *le, size_t n)
{
    if (n > le->len - le->cursor)
        n = le->len - le->cursor;
    out_text(o, le->buf + le->cursor, n);
    le->cursor += n;
}

/* Older (up) or newer (down) history line; the line being typed is kept aside. */
static void history_move(struct out *o, struct line_edit *le, bool older)
{
    if (older ? le->hist_pos == le->hist_count : le->hist_pos == 0) {
        out_char(o, BEL);
        return;
    }
    if (older && le->hist_pos == 0)
        text_copy(le->saved, le->buf, le->len);
    if (older)
        le->hist_pos++;
    else
        le->hist_pos--;
    set_line(o, le, le->hist_pos ? history_line(le, le->hist_pos) : le->saved);
}

static enum line_edit_result finish(struct out *o, struct line_edit *le)
{
    move_right(o, le, le->len - le->cursor);    /* leave the terminal after the text */
    out_text(o, "\r\n", 2);
    text_copy(le->done, le->buf, le->len);
    history_add(le, le->buf, le->len);
    reset_line(le);
    return LINE_EDIT_LINE;
}

/* The final byte of ESC [ ... or ESC O ...; param is the first number (0: none). */
static void escape_key(struct out *o, struct line_edit *le, unsigned char final, unsigned int param)
{
    switch (final) {
    case 'A': history_move(o, le, true); break;
    case 'B': history_move(o, le, false); break;
    case 'C': move_right(o, le, 1); break;
    case 'D': move_left(o, le, 1); break;
    case 'H': move_left(o, le, le->cursor); break;
    case 'F': move_right(o, le, le->len - le->cursor); break;
    case '~':
        if (param == 1 || param == 7)
            move_left(o, le, le->cursor);
        else if (param == 4 || param == 8)
            move_right(o, le, le->len - le->cursor);
        else if (param == 3)
            delete_forward(o, le);
        break;
    default: break;             /* a sequence we do not know: ignored */
    }
}

/* Inside an escape sequence: true if c was part of it. */
static bool escape_byte(struct out *o, struct line_edit *le, unsigned char c)
{
    switch (le->esc) {
    case ESC_START:
        le->esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        le->esc_param = 0;
        return c != ESC && c >= 0x20;   /* ESC ESC starts afresh; a control byte acts */
    case ESC_SS3:
        le->esc = ESC_NONE;
        if (c < 0x20 || c >= DEL)
            return false;
        escape_key(o, le, c, 0);
        return true;
    case ESC_CSI:
        if (c < 0x20 || c >= DEL) {     /* not part of a sequence: abandon it */
            le->esc = ESC_NONE;
            return false;
        }
        if (c >= 0x40) {                /* the final byte */
            le->esc = ESC_NONE;
            escape_key(o, le, c, le->esc_param);
        } else if (c >= '0' && c <= '9' && le->esc_param < ESC_PARAM_CAP) {
            le->esc_param = le->esc_param * 10 + (c - '0');
        } else if (c == ';') {
            le->esc_param = ESC_PARAM_CAP;  /* a modifier follows: no plain Home/End/Delete */
        }
        return true;
    }
    return false;
}

static enum line_edit_result key(struct out *o, struct line_edit *le, unsigned char c)
{
    bool after_cr = le->after_cr;

    le->after_cr = false;
    if (le->esc != ESC_NONE && escape_byte(o, le, c))
        return LINE_EDIT_MORE;
    switch (c) {
    case '\r':
        le->after_cr = true;
        return finish(o, le);
    case '\n':
        return after_cr ? LINE_EDIT_MORE : finish(o, le);
    case CTRL('C'):
        move_right(o, le, le->len - le->cursor);
        out_text(o, "^C\r\n", 4);
        reset_line(le);
        return LINE_EDIT_CANCEL;
    case '\b':
    case DEL:
        backspace(o, le);
        break;
    case CTRL('U'): kill_line(o, le); break;
    case CTRL('P'): history_move(o, le, true); break;
    case CTRL('N'): history_move(o, le, false); break;
    case CTRL('B'): move_left(o, le, 1); break;
    case CTRL('F'): move_right(o, le, 1); break;
    case CTRL('A'): move_left(o, le, le->cursor); break;
    case CTRL('E'): move_right(o, le, le->len - le->cursor); break;
    case ESC: le->esc = ESC_START; break;
    default:
        if (c >= 0x20 && c < DEL)
            insert(o, le, (char)c);
        break;                  /* other control bytes and bytes above 0x7e: ignored */
    }
    return LINE_EDIT_MORE;
}

enum line_edit_result line_edit_feed(struct line_edit *le, unsigned char c)
{
    struct out o = { .le = le, .used = 0 };
    enum line_edit_result r = key(&o, le, c);

    out_flush(&o);
    return r;
}

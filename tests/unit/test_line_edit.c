/*
 * Host unit test of dom0's line editor (guest-pv/toolstack/line_edit.c).
 * The echo drives a model terminal line (printable characters overwrite at
 * the cursor, backspace moves left, CR to column 0, LF ends the line: the
 * model of Mica's console, docs/abi.md); after every key what the terminal
 * shows must be the editor's line, with the cursor in the same place.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "line_edit.h"

CHECK_SUITE("line_edit");

static struct line_edit le;

/* The model terminal. */
static char screen[4 * LINE_EDIT_MAX];
static size_t screen_len, screen_col;
static char last_screen_line[sizeof screen];
static unsigned int bells, lines_shown;
static char echoed[16384];
static size_t echoed_len;

static void term_put(char c)
{
    switch (c) {
    case '\a': bells++; return;
    case '\r': screen_col = 0; return;
    case '\b': if (screen_col) screen_col--; return;
    case '\n':
        memcpy(last_screen_line, screen, screen_len);
        last_screen_line[screen_len] = '\0';
        screen_len = screen_col = 0;
        lines_shown++;
        return;
    }
    if (c < 0x20 || c > 0x7e)
        abort();                /* the echo must never hold anything else */
    screen[screen_col++] = c;
    if (screen_col > screen_len)
        screen_len = screen_col;
}

static void echo(void *ctx, const char *s, size_t len)
{
    if (ctx != &le || len == 0)
        abort();
    for (size_t i = 0; i < len; i++) {
        term_put(s[i]);
        if (echoed_len < sizeof echoed)
            echoed[echoed_len++] = s[i];
    }
}

static void reset(void)
{
    line_edit_init(&le, echo, &le);
    screen_len = screen_col = 0;
    bells = lines_shown = 0;
    echoed_len = 0;
}

/* The terminal shows the line being edited, trailing blanks aside. */
static bool screen_matches(void)
{
    size_t n = screen_len;
    while (n > le.len && screen[n - 1] == ' ')
        n--;
    return n == le.len && !memcmp(screen, le.buf, le.len) && screen_col == le.cursor;
}

static unsigned int mismatches;

/* Type s; returns the result of the last byte; counts lines and cancels. */
static unsigned int typed_lines, typed_cancels;
static enum line_edit_result type_n(const char *s, size_t n)
{
    enum line_edit_result r = LINE_EDIT_MORE;
    for (size_t i = 0; i < n; i++) {
        r = line_edit_feed(&le, (unsigned char)s[i]);
        if (r == LINE_EDIT_LINE)
            typed_lines++;
        if (r == LINE_EDIT_CANCEL)
            typed_cancels++;
        if (!screen_matches())
            mismatches++;
    }
    return r;
}

static enum line_edit_result type(const char *s)
{
    return type_n(s, strlen(s));
}

/* The finished line is `want`, and so is the terminal's (blanks left by
 * deletions aside). */
static bool line_is(const char *want)
{
    size_t n = strlen(last_screen_line);
    while (n && last_screen_line[n - 1] == ' ')
        n--;
    return !strcmp(line_edit_text(&le), want) && n == strlen(want) &&
           !memcmp(last_screen_line, want, n);
}

static void test_basic(void)
{
    reset();
    CHECK("plain-line", type("abc\r") == LINE_EDIT_LINE && line_is("abc"));
    CHECK("echo-is-text-then-crlf", echoed_len == 5 && !memcmp(echoed, "abc\r\n", 5));
    CHECK("editor-empty-after-line", le.len == 0 && le.cursor == 0);
    CHECK("lf-ends-line", type("de\n") == LINE_EDIT_LINE && line_is("de"));
    typed_lines = 0;
    CHECK("crlf-is-one-enter", type("fg\r\n") == LINE_EDIT_MORE && typed_lines == 1 && line_is("fg"));
    typed_lines = 0;
    type("\r\r");
    CHECK("cr-cr-two-lines", typed_lines == 2 && line_is(""));
    typed_lines = 0;
    type("\r\n\n");
    CHECK("cr-lf-lf-two-lines", typed_lines == 2);
    typed_lines = 0;
    type("x\rx\n");
    CHECK("lf-skipped-only-right-after-cr", typed_lines == 2 && line_is("x"));
    CHECK("screen-always-matched", mismatches == 0);
}

static void test_editing(void)
{
    reset();
    CHECK("backspace-0x08", type("hello\bp world\r") == LINE_EDIT_LINE && line_is("hellp world"));
    CHECK("backspace-0x7f", type("abc\x7f\x7f" "d\r") == LINE_EDIT_LINE && line_is("ad"));
    type("\b");
    CHECK("backspace-at-start-rings", bells == 1 && le.len == 0);
    CHECK("ctrl-u-kills-line", type("some text\x15xy\r") == LINE_EDIT_LINE && line_is("xy"));
    CHECK("ctrl-u-mid-line", type("abcdef\x1b[D\x1b[D\x15z\r") == LINE_EDIT_LINE && line_is("z"));
    typed_cancels = 0;
    CHECK("ctrl-c-cancels", type("junk\x03") == LINE_EDIT_CANCEL && le.len == 0 && typed_cancels == 1);
    CHECK("after-cancel-new-line", type("ok\r") == LINE_EDIT_LINE && line_is("ok"));
    CHECK("screen-always-matched", mismatches == 0);
}

static void test_ctrl_c_screen(void)
{
    reset();
    type("junk");
    type("\x03");
    CHECK("ctrl-c-screen-line", lines_shown == 1 && !strcmp(last_screen_line, "junk^C"));
}

static void test_cursor(void)
{
    reset();
    CHECK("insert-middle", type("hllo\x1b[D\x1b[D\x1b[De\r") == LINE_EDIT_LINE && line_is("hello"));
    CHECK("left-right", type("ac\x1b[D\x1b[D\x1b[Cb\r") == LINE_EDIT_LINE && line_is("abc"));
    CHECK("ss3-arrows", type("ac\x1bOD" "b\r") == LINE_EDIT_LINE && line_is("abc"));
    CHECK("ctrl-b-ctrl-f", type("ac\x02\x02\x06" "b\r") == LINE_EDIT_LINE && line_is("abc"));
    CHECK("home-end-csi", type("bc\x1b[Ha\x1b[Fd\r") == LINE_EDIT_LINE && line_is("abcd"));
    CHECK("home-end-tilde", type("bc\x1b[1~a\x1b[4~d\r") == LINE_EDIT_LINE && line_is("abcd"));
    CHECK("ctrl-a-ctrl-e", type("bc\x01" "a\x05" "d\r") == LINE_EDIT_LINE && line_is("abcd"));
    CHECK("delete-forward", type("abxc\x1b[D\x1b[D\x1b[3~\r") == LINE_EDIT_LINE && line_is("abc"));
    type("ab\x1b[3~");
    CHECK("delete-at-end-rings", bells == 1 && le.len == 2);
    type("\x1b[D\x1b[D\x1b[D");
    CHECK("left-stops-at-start", le.cursor == 0);
    type("\x1b[C\x1b[C\x1b[C\x1b[C");
    CHECK("right-stops-at-end", le.cursor == 2);
    type("\x1b[D\x1b[D\b");
    CHECK("backspace-at-start-mid-text", bells == 2 && le.len == 2);
    CHECK("backspace-mid-line", type("\x1b[C\bX\r") == LINE_EDIT_LINE && line_is("Xb"));
    CHECK("enter-mid-line-keeps-whole-line", type("abc\x1b[D\x1b[D\r") == LINE_EDIT_LINE &&
                                                 line_is("abc"));
    CHECK("screen-always-matched", mismatches == 0);
}

static void test_max_length(void)
{
    char full[LINE_EDIT_MAX + 2];
    reset();
    memset(full, 'x', LINE_EDIT_MAX);
    full[LINE_EDIT_MAX] = '\0';
    type(full);
    CHECK("fills-to-max", le.len == LINE_EDIT_MAX && bells == 0);
    type("y");
    CHECK("full-rings-bell", le.len == LINE_EDIT_MAX && bells == 1);
    type("\x1b[D\x1b[Dz");
    CHECK("full-insert-mid-rings", le.len == LINE_EDIT_MAX && bells == 2);
    CHECK("full-line-returned", type("\r") == LINE_EDIT_LINE && line_is(full));
    CHECK("screen-always-matched", mismatches == 0);
}

static void test_history(void)
{
    reset();
    type("one\rtwo\rthree\r");
    CHECK("up-newest", type("\x1b[A") == LINE_EDIT_MORE && !strcmp(le.buf, "three"));
    type("\x1b[A");
    CHECK("up-again", !strcmp(le.buf, "two"));
    type("\x1b[A");
    CHECK("up-oldest", !strcmp(le.buf, "one") && bells == 0);
    type("\x1b[A");
    CHECK("up-past-oldest-rings", !strcmp(le.buf, "one") && bells == 1);
    type("\x1b[B");
    CHECK("down", !strcmp(le.buf, "two"));
    CHECK("recall-enter", type("\x1b[B\r") == LINE_EDIT_LINE && line_is("three"));
    type("par");
    type("\x10\x10");
    CHECK("ctrl-p", !strcmp(le.buf, "two"));
    type("\x0e\x0e");
    CHECK("ctrl-n-back-to-own-line", !strcmp(le.buf, "par") && le.cursor == 3);
    type("\x0e");
    CHECK("down-past-own-line-rings", bells == 2);
    CHECK("own-line-kept", type("t\r") == LINE_EDIT_LINE && line_is("part"));
    CHECK("ss3-up", type("\x1bOA") == LINE_EDIT_MORE && !strcmp(le.buf, "part"));
    CHECK("recalled-edit", type("\bty\r") == LINE_EDIT_LINE && line_is("party"));
    type("\x1b[A\x1b[A");
    CHECK("edit-left-history-alone", !strcmp(le.buf, "part"));
    type("\x03");
    /* Repeats of the newest line and empty lines are not kept. */
    type("party\r\r\x1b[A\x1b[A");
    CHECK("no-duplicate-no-empty", !strcmp(le.buf, "part"));
    type("\x15\r");
    CHECK("screen-always-matched", mismatches == 0);
}

static void test_history_capacity(void)
{
    char line[24];
    reset();
    for (int i = 1; i <= 20; i++) {
        snprintf(line, sizeof line, "line %d\r", i);
        type(line);
    }
    for (int i = 0; i < LINE_EDIT_HISTORY; i++)
        type("\x1b[A");
    CHECK("sixteen-kept", !strcmp(le.buf, "line 5") && bells == 0);
    type("\x1b[A");
    CHECK("seventeenth-gone", !strcmp(le.buf, "line 5") && bells == 1);
    for (int i = 0; i < LINE_EDIT_HISTORY; i++)
        type("\x1b[B");
    CHECK("down-to-empty-own-line", le.len == 0);
    type("\x1bOA");
    CHECK("newest-is-20", !strcmp(le.buf, "line 20"));
    /* A long recalled line replaced by a short one leaves no trace on screen. */
    type("\x03" "a much longer line than the others\r" "s\r" "\x1b[A\x1b[A\x1b[B");
    CHECK("shorter-recall-blanks-rest", !strcmp(le.buf, "s") && screen_matches());
    CHECK("screen-always-matched", mismatches == 0);
}

static void test_ignored(void)
{
    reset();
    static const char junk[] = "a\x1b[2Jb\x1b[1;5X\x1b[?25hc\x1bxd\x1b[200~e\x1b[201~\t\x00\x1c\x80\xff"
                               "\x1b[3;5~f\x1b\x1bOPg\x1b[9999999999Ah\r";
    CHECK("unknown-sequences-ignored", type_n(junk, sizeof junk - 1) == LINE_EDIT_LINE &&
                                           line_is("abcdefgh"));
    CHECK("escape-abandoned-by-cr", type("ab\x1b[\r") == LINE_EDIT_LINE && line_is("ab"));
    CHECK("esc-then-cr", type("ab\x1b\r") == LINE_EDIT_LINE && line_is("ab"));
    CHECK("ss3-abandoned-by-cr", type("cd\x1bO\r") == LINE_EDIT_LINE && line_is("cd"));
    CHECK("esc-then-backspace-acts", type("abc\x1b\b\r") == LINE_EDIT_LINE && line_is("ab"));
    CHECK("screen-always-matched", mismatches == 0);
}

static void test_no_echo(void)
{
    line_edit_init(&le, NULL, NULL);
    for (const char *s = "ab\x1b[Dc\bd\r"; *s; s++)
        line_edit_feed(&le, (unsigned char)*s);
    CHECK("null-echo", !strcmp(line_edit_text(&le), "adb"));
}

/* Random bytes, weighted towards the interesting ones. */
static void test_random(void)
{
    static const char keys[] = "\x1b[ABCDHF~0123O;\b\x7f\r\n\x03\x15\x10\x0e\x02\x06\x01\x05" "abc";
    bool ok = true;
    reset();
    srand(12345);
    for (int i = 0; i < 200000 && ok; i++) {
        unsigned char c = rand() % 4 ? (unsigned char)keys[rand() % (sizeof keys - 1)]
                                     : (unsigned char)rand();
        enum line_edit_result r = line_edit_feed(&le, c);
        ok = le.len <= LINE_EDIT_MAX && le.cursor <= le.len && le.buf[le.len] == '\0' &&
             le.hist_count <= LINE_EDIT_HISTORY && le.hist_pos <= le.hist_count &&
             (r != LINE_EDIT_LINE || strlen(line_edit_text(&le)) <= LINE_EDIT_MAX) &&
             screen_matches();
    }
    CHECK("random-200000-keys-invariants", ok);
}

int main(void)
{
    test_basic();
    test_editing();
    test_ctrl_c_screen();
    test_cursor();
    test_max_length();
    test_history();
    test_history_capacity();
    test_ignored();
    test_no_echo();
    test_random();
    CHECK_DONE();
}

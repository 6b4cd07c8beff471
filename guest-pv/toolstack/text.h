/* Small text helpers for the toolstack: table columns and number parsing. */
#ifndef TOOLSTACK_TEXT_H
#define TOOLSTACK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_ROW_MAX 160

/* A line of output built column by column (printk has no field widths). */
struct text_row {
    char buf[TEXT_ROW_MAX];
    size_t len;
};

void row_start(struct text_row *r);
/* `s` left-aligned in `width` columns (at least one space after it). */
void row_str(struct text_row *r, const char *s, size_t width);
/* `v` right-aligned in `width` columns, then one space. */
void row_uint(struct text_row *r, uint64_t v, size_t width);
/* "12.3" with one decimal of v / 10, right-aligned in `width`, then one space. */
void row_tenths(struct text_row *r, uint64_t tenths, size_t width);
const char *row_text(struct text_row *r);

/* A decimal number of at most 10 digits, all of `s`. */
bool text_parse_uint(const char *s, uint32_t *out);
bool text_eq(const char *a, const char *b);

#endif

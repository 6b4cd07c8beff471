#include "xs_fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xs_store xs_fx_store;
struct xs_msg xs_fx_out[XS_FX_MAX_OUT];
int xs_fx_nout;
int xs_fx_check_failures;
int xs_fx_last_check;
int xs_fx_check_period = 1;
static unsigned long requests;

static void *arena;
static uint32_t next_req = 1;
static uint32_t last_req;
static uint16_t last_dom;

static void collect(void *ctx, uint16_t domid, const struct xsd_sockmsg *hdr, const void *payload)
{
    (void)ctx;
    if (hdr->len > XENSTORE_PAYLOAD_MAX) {
        fprintf(stderr, "store sent %u bytes\n", hdr->len);
        abort();
    }
    if (xs_fx_nout == XS_FX_MAX_OUT)
        return;
    struct xs_msg *m = &xs_fx_out[xs_fx_nout++];
    m->domid = domid;
    m->hdr = *hdr;
    if (hdr->len)
        memcpy(m->payload, payload, hdr->len);
    m->payload[hdr->len] = '\0';
}

void xs_fx_init(size_t size, const struct xs_quota *quota, const struct xs_hooks *hooks)
{
    free(arena);
    arena = malloc(size);
    if (!arena || xs_store_init(&xs_fx_store, arena, size, quota, hooks) != 0) {
        fprintf(stderr, "xs_store_init failed\n");
        abort();
    }
    xs_fx_nout = 0;
}

int xs_fx_raw(uint16_t dom, uint32_t type, uint32_t tx, const void *payload, size_t len)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = next_req++, .tx_id = tx,
                               .len = (uint32_t)len };
    /* An exact-length copy: ASan sees any read past the payload. */
    void *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, payload, len);
    xs_fx_nout = 0;
    last_req = hdr.req_id;
    last_dom = dom;
    int rc = xs_handle(&xs_fx_store, dom, &hdr, copy, collect, NULL);
    free(copy);
    if (++requests % (unsigned long)xs_fx_check_period)
        return rc;
    xs_fx_last_check = xs_check(&xs_fx_store);
    if (xs_fx_last_check) {
        fprintf(stderr, "xs_check: %d after type %u from %u\n", xs_fx_last_check, type, dom);
        xs_fx_check_failures++;
    }
    return rc;
}

const struct xs_msg *xs_fx_reply(void)
{
    for (int i = 0; i < xs_fx_nout; i++) {
        const struct xs_msg *m = &xs_fx_out[i];
        if (m->domid == last_dom && m->hdr.type != XS_WATCH_EVENT && m->hdr.req_id == last_req)
            return m;
    }
    return NULL;
}

const char *xs_fx_text(const struct xs_msg *m)
{
    static char buf[XENSTORE_PAYLOAD_MAX + 2];
    if (!m)
        return "(no reply)";
    if (m->hdr.type == XS_ERROR) {
        snprintf(buf, sizeof(buf), "!%s", m->payload);
        return buf;
    }
    size_t n = m->hdr.len;
    if (n && m->payload[n - 1] == '\0')
        n--;
    for (size_t i = 0; i < n; i++)
        buf[i] = m->payload[i] ? m->payload[i] : '|';
    buf[n] = '\0';
    return buf;
}

const char *xs_fx(uint16_t dom, uint32_t type, uint32_t tx, ...)
{
    static char payload[XENSTORE_PAYLOAD_MAX * 2];
    size_t len = 0;
    va_list ap;
    va_start(ap, tx);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t l = strlen(s) + 1;
        if (len + l > sizeof(payload))
            abort();
        memcpy(payload + len, s, l);
        len += l;
    }
    va_end(ap);
    xs_fx_raw(dom, type, tx, payload, len);
    return xs_fx_text(xs_fx_reply());
}

int xs_fx_events(uint16_t dom)
{
    int n = 0;
    for (int i = 0; i < xs_fx_nout; i++)
        n += xs_fx_out[i].domid == dom && xs_fx_out[i].hdr.type == XS_WATCH_EVENT;
    return n;
}

bool xs_fx_event(uint16_t dom, const char *path, const char *token)
{
    for (int i = 0; i < xs_fx_nout; i++) {
        const struct xs_msg *m = &xs_fx_out[i];
        if (m->domid != dom || m->hdr.type != XS_WATCH_EVENT)
            continue;
        size_t pl = strlen(path), tl = strlen(token);
        if (m->hdr.len == pl + tl + 2 && m->hdr.req_id == 0 && m->hdr.tx_id == 0 &&
            strcmp(m->payload, path) == 0 && strcmp(m->payload + pl + 1, token) == 0)
            return true;
    }
    return false;
}

const char *xs_write(uint16_t dom, uint32_t tx, const char *path, const char *value)
{
    static char payload[XENSTORE_PAYLOAD_MAX * 2];
    size_t pl = strlen(path) + 1, vl = strlen(value);
    if (pl + vl > sizeof(payload))
        abort();
    memcpy(payload, path, pl);
    memcpy(payload + pl, value, vl);
    xs_fx_raw(dom, XS_WRITE, tx, payload, pl + vl);
    return xs_fx_text(xs_fx_reply());
}

const char *xs_read(uint16_t dom, uint32_t tx, const char *path)
{
    return xs_fx(dom, XS_READ, tx, path, NULL);
}

uint32_t xs_start(uint16_t dom)
{
    const char *r = xs_fx(dom, XS_TRANSACTION_START, 0, "", NULL);
    return r[0] == '!' ? 0 : (uint32_t)strtoul(r, NULL, 10);
}

/*
 * Rendezvous core: the Remote Assistance handshake messages (ticket, hello, ack)
 *
 * Copyright 2026 The wine-rendezvous authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

#include <string.h>

#include "rv_private.h"
#include "rv_ticket.h"

static const char lower_hex[] = "0123456789abcdef";
static const char upper_hex[] = "0123456789ABCDEF";
/* RFC 4648 section 5, "base64url", without padding. */
static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Longest decimal port and longest address text a ticket may hold. */
#define MAX_PORT_DIGITS   5
#define MAX_ADDRESS_CHARS (RV_TICKET_ADDRESS_BUFFER_SIZE - 1)

/* A bounded writer: overflow is remembered, never written. */
struct writer
{
    char  *buffer;
    size_t size;
    size_t pos;
    int    overflow;
};

static void put_bytes(struct writer *w, const char *data, size_t count)
{
    if (w->overflow || count >= w->size - w->pos)
    {
        w->overflow = 1;
        return;
    }
    memcpy(w->buffer + w->pos, data, count);
    w->pos += count;
}

static void put_str(struct writer *w, const char *str)
{
    put_bytes(w, str, strlen(str));
}

static void put_hex(struct writer *w, const uint8_t *bytes, size_t count, const char *digits)
{
    char pair[2];
    size_t i;

    for (i = 0; i < count; i++)
    {
        pair[0] = digits[bytes[i] >> 4];
        pair[1] = digits[bytes[i] & 0xf];
        put_bytes(w, pair, 2);
    }
}

/* The fingerprint: 32 bytes in 43 base64url characters, the last one's two
 * spare bits zero. */
static void put_fingerprint(struct writer *w, const uint8_t bytes[RV_TICKET_FINGERPRINT_SIZE])
{
    char out[RV_TICKET_FINGERPRINT_TEXT_LENGTH];
    unsigned int i, bits = 0, n = 0;
    uint32_t acc = 0;

    for (i = 0; i < RV_TICKET_FINGERPRINT_SIZE; i++)
    {
        acc = acc << 8 | bytes[i];
        bits += 8;
        while (bits >= 6)
        {
            bits -= 6;
            out[n++] = base64url[(acc >> bits) & 0x3f];
        }
    }
    out[n++] = base64url[(acc << (6 - bits)) & 0x3f];
    put_bytes(w, out, n);
}

static void put_decimal(struct writer *w, unsigned int value)
{
    char tmp[10];
    size_t n = sizeof(tmp);

    do
    {
        tmp[--n] = (char)('0' + value % 10);
        value /= 10;
    } while (value && n);
    put_bytes(w, tmp + n, sizeof(tmp) - n);
}

static rv_result finish(struct writer *w)
{
    if (w->overflow)
    {
        if (w->size) w->buffer[0] = 0;
        return RV_E_INVALIDARG;
    }
    w->buffer[w->pos] = 0;
    return RV_S_OK;
}

void rv_ticket_format_id(const uint8_t id[RV_TICKET_ID_SIZE], char *buffer)
{
    static const unsigned char groups[] = { 4, 2, 2, 2, 6 };
    struct writer w = { buffer, RV_TICKET_ID_TEXT_LENGTH + 1, 0, 0 };
    unsigned int i, pos = 0;

    put_str(&w, "{");
    for (i = 0; i < sizeof(groups); i++)
    {
        if (i) put_str(&w, "-");
        put_hex(&w, id + pos, groups[i], upper_hex);
        pos += groups[i];
    }
    put_str(&w, "}");
    finish(&w);
}

/* A cursor over untrusted text; every read is bounded by end. */
struct cursor
{
    const char *p;
    const char *end;
};

static int expect(struct cursor *c, const char *literal)
{
    size_t n = strlen(literal);

    if ((size_t)(c->end - c->p) < n || memcmp(c->p, literal, n)) return 0;
    c->p += n;
    return 1;
}

/* Reads an attribute value up to its closing quote (consumed), at most max characters. */
static int take_value(struct cursor *c, size_t max, const char **value, size_t *length)
{
    const char *p = c->p;

    while (p < c->end && *p != '"')
    {
        if ((size_t)(p - c->p) >= max) return 0;
        p++;
    }
    if (p == c->end) return 0;
    *value = c->p;
    *length = (size_t)(p - c->p);
    c->p = p + 1;
    return 1;
}

/* Exactly 2 * count hex digits, all from digits (one case only). */
static int parse_hex(const char *text, size_t length, const char *digits, uint8_t *out, size_t count)
{
    size_t i;

    if (length != 2 * count) return 0;
    for (i = 0; i < count; i++)
    {
        const char *hi = memchr(digits, text[2 * i], 16), *lo = memchr(digits, text[2 * i + 1], 16);

        if (!hi || !lo) return 0;
        out[i] = (uint8_t)((hi - digits) << 4 | (lo - digits));
    }
    return 1;
}

/* Exactly the text put_fingerprint writes: 43 base64url characters whose
 * last one leaves its two spare bits zero. */
static int parse_fingerprint(const char *text, size_t length, uint8_t out[RV_TICKET_FINGERPRINT_SIZE])
{
    unsigned int i, bits = 0, n = 0;
    uint32_t acc = 0;

    if (length != RV_TICKET_FINGERPRINT_TEXT_LENGTH) return 0;
    for (i = 0; i < length; i++)
    {
        const char *digit = memchr(base64url, text[i], 64);

        if (!digit) return 0;
        acc = acc << 6 | (uint32_t)(digit - base64url);
        bits += 6;
        if (bits >= 8)
        {
            bits -= 8;
            if (n < RV_TICKET_FINGERPRINT_SIZE) out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n == RV_TICKET_FINGERPRINT_SIZE && bits == 2 && !(acc & 3);
}

static int parse_id(const char *text, size_t length, uint8_t id[RV_TICKET_ID_SIZE])
{
    char canonical[RV_TICKET_ID_TEXT_LENGTH + 1];
    static const unsigned char groups[] = { 4, 2, 2, 2, 6 };
    unsigned int i, pos = 0, byte = 0;

    if (length != RV_TICKET_ID_TEXT_LENGTH || text[0] != '{' || text[length - 1] != '}') return 0;
    pos = 1;
    for (i = 0; i < sizeof(groups); i++)
    {
        if (i && text[pos++] != '-') return 0;
        if (!parse_hex(text + pos, 2 * groups[i], upper_hex, id + byte, groups[i])) return 0;
        pos += 2 * groups[i];
        byte += groups[i];
    }
    /* Belt and braces: the text is exactly what we would write. */
    rv_ticket_format_id(id, canonical);
    return !memcmp(canonical, text, length);
}

/* Decimal 1..65535 without sign or leading zeros. */
static int parse_port(const char *text, size_t length, uint16_t *port)
{
    unsigned int value = 0;
    size_t i;

    if (!length || length > MAX_PORT_DIGITS || text[0] == '0') return 0;
    for (i = 0; i < length; i++)
    {
        if (text[i] < '0' || text[i] > '9') return 0;
        value = value * 10 + (unsigned int)(text[i] - '0');
    }
    if (value > 65535) return 0;
    *port = (uint16_t)value;
    return 1;
}

static int address_is_unspecified(const struct rv_ticket_address *a)
{
    static const uint8_t zero[16];

    return !memcmp(a->addr, zero, a->family == 4 ? 4 : 16);
}

rv_result rv_ticket_parse_address(const char *text, size_t length, struct rv_ticket_address *out)
{
    struct rv_ticket_address a;

    if (!text || !out) return RV_E_INVALIDARG;
    memset(&a, 0, sizeof(a));
    if (!length || length > MAX_ADDRESS_CHARS) return RV_E_PROTOCOL;
    if (memchr(text, '.', length) && !memchr(text, ':', length))
    {
        if (!rv_parse_ipv4(text, length, a.addr)) return RV_E_PROTOCOL;
        a.family = 4;
    }
    else
    {
        if (!rv_parse_ipv6(text, length, a.addr)) return RV_E_PROTOCOL;
        a.family = 6;
    }
    if (address_is_unspecified(&a)) return RV_E_PROTOCOL;
    a.port = out->port;
    *out = a;
    return RV_S_OK;
}

size_t rv_ticket_format_address(const struct rv_ticket_address *address, char *buffer)
{
    return rv_format_ip(address->family, address->addr, buffer);
}

static int address_valid(const struct rv_ticket_address *a)
{
    size_t i;

    if (a->family != 4 && a->family != 6) return 0;
    if (a->family == 4)
        for (i = 4; i < 16; i++) if (a->addr[i]) return 0;
    return a->port && !address_is_unspecified(a);
}

static int same_endpoint(const struct rv_ticket_address *a, const struct rv_ticket_address *b)
{
    return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

static int ticket_valid(const struct rv_ticket *t)
{
    uint32_t i, j;

    if (!t->count || t->count > RV_TICKET_MAX_ADDRESSES || t->has_fingerprint > 1) return 0;
    for (i = 0; i < t->count; i++)
    {
        if (!address_valid(&t->addresses[i])) return 0;
        for (j = 0; j < i; j++)
            if (same_endpoint(&t->addresses[i], &t->addresses[j])) return 0;
    }
    return 1;
}

rv_result rv_ticket_format(const struct rv_ticket *ticket, char *buffer, size_t size)
{
    struct writer w = { buffer, size, 0, 0 };
    char id[RV_TICKET_ID_TEXT_LENGTH + 1], address[RV_TICKET_ADDRESS_BUFFER_SIZE];
    uint32_t i;
    rv_result hr;

    if (!ticket || !buffer || !size) return RV_E_INVALIDARG;
    buffer[0] = 0;
    if (!ticket_valid(ticket)) return RV_E_INVALIDARG;

    rv_ticket_format_id(ticket->id, id);
    put_str(&w, "<E><A");
    if (ticket->has_fingerprint)
    {
        put_str(&w, " FP=\"");
        put_fingerprint(&w, ticket->fingerprint);
        put_str(&w, "\"");
    }
    put_str(&w, " ID=\"");
    put_str(&w, id);
    put_str(&w, "\" NC=\"");
    put_hex(&w, ticket->nonce, sizeof(ticket->nonce), lower_hex);
    put_str(&w, "\"/><C><T ID=\"1\" SID=\"");
    put_hex(&w, ticket->secret, sizeof(ticket->secret), lower_hex);
    put_str(&w, "\">");
    for (i = 0; i < ticket->count; i++)
    {
        put_str(&w, "<L P=\"");
        put_decimal(&w, ticket->addresses[i].port);
        put_str(&w, "\" N=\"");
        rv_ticket_format_address(&ticket->addresses[i], address);
        put_str(&w, address);
        put_str(&w, "\"/>");
    }
    put_str(&w, "</T></C></E>");
    if (w.pos > RV_TICKET_MAX_LENGTH) w.overflow = 1;
    hr = finish(&w);
    if (hr) rv_wipe(buffer, size);
    return hr;
}

/* Length bound first, then printable ASCII only: quotes, brackets and '&' are
 * thereby plain bytes that only the grammar below may accept. */
static int text_acceptable(const char *text, size_t length)
{
    size_t i;

    if (!text || !length || length > RV_TICKET_MAX_LENGTH) return 0;
    for (i = 0; i < length; i++)
        if (text[i] < 0x20 || text[i] > 0x7e || text[i] == '&') return 0;
    return 1;
}

rv_result rv_ticket_parse(const char *text, size_t length, const uint8_t *expected_nonce,
                          struct rv_ticket *out)
{
    struct cursor c;
    struct rv_ticket t;
    const char *value;
    size_t value_len;
    rv_result hr = RV_E_PROTOCOL;

    if (!out) return RV_E_INVALIDARG;
    if (!text_acceptable(text, length)) return RV_E_PROTOCOL;
    memset(&t, 0, sizeof(t));
    c.p = text;
    c.end = text + length;

    if (!expect(&c, "<E><A")) goto done;
    if (expect(&c, " FP=\""))
    {
        if (!take_value(&c, RV_TICKET_FINGERPRINT_TEXT_LENGTH, &value, &value_len) ||
            !parse_fingerprint(value, value_len, t.fingerprint)) goto done;
        t.has_fingerprint = 1;
    }
    if (!expect(&c, " ID=\"")) goto done;
    if (!take_value(&c, RV_TICKET_ID_TEXT_LENGTH, &value, &value_len) ||
        !parse_id(value, value_len, t.id)) goto done;
    if (!expect(&c, " NC=\"")) goto done;
    if (!take_value(&c, 2 * RV_TICKET_NONCE_SIZE, &value, &value_len) ||
        !parse_hex(value, value_len, lower_hex, t.nonce, sizeof(t.nonce))) goto done;
    if (!expect(&c, "/><C><T ID=\"1\" SID=\"")) goto done;
    if (!take_value(&c, 2 * RV_TICKET_SECRET_SIZE, &value, &value_len) ||
        !parse_hex(value, value_len, lower_hex, t.secret, sizeof(t.secret))) goto done;
    if (!expect(&c, ">")) goto done;

    while (expect(&c, "<L P=\""))
    {
        struct rv_ticket_address *a;
        char canonical[RV_TICKET_ADDRESS_BUFFER_SIZE];
        uint32_t j;

        if (t.count == RV_TICKET_MAX_ADDRESSES) goto done;
        a = &t.addresses[t.count];
        if (!take_value(&c, MAX_PORT_DIGITS, &value, &value_len) ||
            !parse_port(value, value_len, &a->port)) goto done;
        if (!expect(&c, " N=\"")) goto done;
        if (!take_value(&c, MAX_ADDRESS_CHARS, &value, &value_len) ||
            rv_ticket_parse_address(value, value_len, a)) goto done;
        /* One spelling per address. */
        if (rv_ticket_format_address(a, canonical) != value_len || memcmp(canonical, value, value_len))
            goto done;
        for (j = 0; j < t.count; j++)
            if (same_endpoint(a, &t.addresses[j])) goto done;
        if (!expect(&c, "/>")) goto done;
        t.count++;
    }
    if (!t.count) goto done;
    if (!expect(&c, "</T></C></E>") || c.p != c.end) goto done;

    /* Well-formed: now whether it belongs here. */
    if (expected_nonce && !rv_ct_equal(t.nonce, expected_nonce, sizeof(t.nonce)))
    {
        hr = RV_E_ACCESS_DENIED;
        goto done;
    }
    *out = t;
    hr = RV_S_OK;

done:
    rv_wipe(&t, sizeof(t));
    return hr;
}

rv_result rv_ticket_hello_format(const uint8_t nonce[RV_TICKET_NONCE_SIZE], char *buffer, size_t size)
{
    struct writer w = { buffer, size, 0, 0 };

    if (!nonce || !buffer || !size) return RV_E_INVALIDARG;
    put_str(&w, "<H V=\"1\" NC=\"");
    put_hex(&w, nonce, RV_TICKET_NONCE_SIZE, lower_hex);
    put_str(&w, "\"/>");
    return finish(&w);
}

rv_result rv_ticket_hello_parse(const char *text, size_t length, uint8_t nonce[RV_TICKET_NONCE_SIZE])
{
    uint8_t value[RV_TICKET_NONCE_SIZE];
    struct cursor c;
    const char *v;
    size_t len;

    if (!nonce) return RV_E_INVALIDARG;
    if (!text_acceptable(text, length)) return RV_E_PROTOCOL;
    c.p = text;
    c.end = text + length;
    if (!expect(&c, "<H V=\"1\" NC=\"") ||
        !take_value(&c, 2 * RV_TICKET_NONCE_SIZE, &v, &len) ||
        !parse_hex(v, len, lower_hex, value, sizeof(value)) ||
        !expect(&c, "/>") || c.p != c.end)
        return RV_E_PROTOCOL;
    memcpy(nonce, value, sizeof(value));
    return RV_S_OK;
}

rv_result rv_ticket_ack_format(const uint8_t id[RV_TICKET_ID_SIZE], char *buffer, size_t size)
{
    struct writer w = { buffer, size, 0, 0 };
    char text[RV_TICKET_ID_TEXT_LENGTH + 1];

    if (!id || !buffer || !size) return RV_E_INVALIDARG;
    rv_ticket_format_id(id, text);
    put_str(&w, "<K V=\"1\" ID=\"");
    put_str(&w, text);
    put_str(&w, "\"/>");
    return finish(&w);
}

rv_result rv_ticket_ack_parse(const char *text, size_t length, const uint8_t *expected_id, uint8_t *id)
{
    uint8_t value[RV_TICKET_ID_SIZE];
    struct cursor c;
    const char *v;
    size_t len;

    if (!text_acceptable(text, length)) return RV_E_PROTOCOL;
    c.p = text;
    c.end = text + length;
    if (!expect(&c, "<K V=\"1\" ID=\"") ||
        !take_value(&c, RV_TICKET_ID_TEXT_LENGTH, &v, &len) ||
        !parse_id(v, len, value) ||
        !expect(&c, "/>") || c.p != c.end)
        return RV_E_PROTOCOL;
    if (expected_id && !rv_ct_equal(value, expected_id, sizeof(value))) return RV_E_ACCESS_DENIED;
    if (id) memcpy(id, value, sizeof(value));
    return RV_S_OK;
}

rv_result rv_ticket_from_units(const uint16_t *units, size_t count, char *buffer, size_t size)
{
    size_t i;

    if (!buffer || !size) return RV_E_INVALIDARG;
    buffer[0] = 0;
    if (!units || !count || count > RV_TICKET_MAX_LENGTH) return RV_E_PROTOCOL;
    if (count >= size) return RV_E_INVALIDARG;
    for (i = 0; i < count; i++)
    {
        if (units[i] < 0x20 || units[i] > 0x7e)
        {
            rv_wipe(buffer, i);
            buffer[0] = 0;
            return RV_E_PROTOCOL;
        }
        buffer[i] = (char)units[i];
    }
    buffer[count] = 0;
    return RV_S_OK;
}

void rv_ticket_wipe(struct rv_ticket *ticket)
{
    if (ticket) rv_wipe(ticket, sizeof(*ticket));
}

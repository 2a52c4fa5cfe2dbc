/*
 * Unit tests: Remote Assistance ticket, hello and ack messages
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
#include "rvtest.h"

static const uint8_t test_nonce[RV_TICKET_NONCE_SIZE] =
{
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};

static void make_ticket(struct rv_ticket *t, unsigned int count)
{
    unsigned int i;

    memset(t, 0, sizeof(*t));
    for (i = 0; i < RV_TICKET_ID_SIZE; i++) t->id[i] = (uint8_t)(0xa0 + i);
    memcpy(t->nonce, test_nonce, sizeof(t->nonce));
    for (i = 0; i < RV_TICKET_SECRET_SIZE; i++) t->secret[i] = (uint8_t)(i * 7 + 1);
    /* A certificate's SHA-256, as the FreeRDP backend reports it. */
    t->has_fingerprint = 1;
    for (i = 0; i < RV_TICKET_FINGERPRINT_SIZE; i++) t->fingerprint[i] = (uint8_t)i;
    t->count = count;
    for (i = 0; i < count; i++)
    {
        struct rv_ticket_address *a = &t->addresses[i];

        if (i % 2)
        {
            a->family = 6;
            a->addr[0] = 0x20;
            a->addr[1] = 0x01;
            a->addr[2] = 0x0d;
            a->addr[3] = 0xb8;
            a->addr[15] = (uint8_t)i;
        }
        else
        {
            a->family = 4;
            a->addr[0] = 192;
            a->addr[1] = 0;
            a->addr[2] = 2;
            a->addr[3] = (uint8_t)(i + 1);
        }
        a->port = (uint16_t)(5900 + i);
    }
}

static int tickets_equal(const struct rv_ticket *a, const struct rv_ticket *b)
{
    uint32_t i;

    if (memcmp(a->id, b->id, sizeof(a->id)) || memcmp(a->nonce, b->nonce, sizeof(a->nonce)) ||
        memcmp(a->secret, b->secret, sizeof(a->secret)) || a->count != b->count ||
        a->has_fingerprint != b->has_fingerprint ||
        (a->has_fingerprint && memcmp(a->fingerprint, b->fingerprint, sizeof(a->fingerprint))))
        return 0;
    for (i = 0; i < a->count; i++)
        if (a->addresses[i].family != b->addresses[i].family || a->addresses[i].port != b->addresses[i].port ||
            memcmp(a->addresses[i].addr, b->addresses[i].addr, 16))
            return 0;
    return 1;
}

static void test_roundtrip(void)
{
    char text[RV_TICKET_BUFFER_SIZE];
    struct rv_ticket t, parsed;
    unsigned int count, fp;
    rv_result hr;

    for (fp = 0; fp < 2; fp++)
    for (count = 1; count <= RV_TICKET_MAX_ADDRESSES; count++)
    {
        make_ticket(&t, count);
        t.has_fingerprint = fp;
        hr = rv_ticket_format(&t, text, sizeof(text));
        ok(hr == RV_S_OK, "%u/%u: format %#x\n", fp, count, (unsigned)hr);
        memset(&parsed, 0xcc, sizeof(parsed));
        hr = rv_ticket_parse(text, strlen(text), test_nonce, &parsed);
        ok(hr == RV_S_OK, "%u/%u: parse %#x: %s\n", fp, count, (unsigned)hr, text);
        ok(tickets_equal(&t, &parsed), "%u/%u: fields differ\n", fp, count);
        /* No nonce check (for fuzzers). */
        hr = rv_ticket_parse(text, strlen(text), NULL, &parsed);
        ok(hr == RV_S_OK, "%u/%u: parse without nonce %#x\n", fp, count, (unsigned)hr);
    }

    /* The exact text of a one-address ticket: the fingerprint in base64url. */
    make_ticket(&t, 1);
    rv_ticket_format(&t, text, sizeof(text));
    ok(!strcmp(text, "<E><A FP=\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\" "
              "ID=\"{A0A1A2A3-A4A5-A6A7-A8A9-AAABACADAEAF}\" NC=\"00112233445566778899aabbccddeeff\"/>"
              "<C><T ID=\"1\" SID=\"01080f161d242b323940474e555c636a71787f868d949ba2a9b0b7bec5ccd3da\">"
              "<L P=\"5900\" N=\"192.0.2.1\"/></T></C></E>"), "text: %s\n", text);
    ok(strlen(text) == RV_TICKET_BASE_LENGTH + RV_TICKET_FP_LENGTH + 18 + 9, "length %u\n", (unsigned)strlen(text));
    /* base64url's own digits, and the spare bits of the last one. */
    memset(t.fingerprint, 0xff, sizeof(t.fingerprint));
    rv_ticket_format(&t, text, sizeof(text));
    ok(strstr(text, " FP=\"__________________________________________8\" ") != NULL, "all ones: %s\n", text);
    for (count = 0; count < RV_TICKET_FINGERPRINT_SIZE; count++) t.fingerprint[count] = "\xfb\xef\xbe"[count % 3];
    rv_ticket_format(&t, text, sizeof(text));
    ok(strstr(text, " FP=\"------------------------------------------8\" ") != NULL, "dashes: %s\n", text);
    hr = rv_ticket_parse(text, strlen(text), test_nonce, &parsed);
    ok(hr == RV_S_OK && tickets_equal(&t, &parsed), "dashes parse: %#x\n", (unsigned)hr);

    /* Without a fingerprint the attribute is absent. */
    make_ticket(&t, 1);
    t.has_fingerprint = 0;
    rv_ticket_format(&t, text, sizeof(text));
    ok(!strncmp(text, "<E><A ID=\"{", 11) && strlen(text) == RV_TICKET_BASE_LENGTH + 18 + 9, "no fp: %s\n", text);

    /* With a fingerprint and one address of any kind, a ticket fits Messenger's 300 units. */
    make_ticket(&t, 1);
    t.addresses[0].family = 6;
    memset(t.addresses[0].addr, 0xfe, 16);
    t.addresses[0].port = 65535;
    rv_ticket_format(&t, text, sizeof(text));
    ok(strlen(text) == RV_TICKET_BASE_LENGTH + RV_TICKET_FP_LENGTH + 19 + 39 && strlen(text) <= 300,
       "longest one-address ticket: %u\n", (unsigned)strlen(text));
    t.addresses[0].family = 4;
    memset(t.addresses[0].addr, 0, 16);
    memset(t.addresses[0].addr, 255, 4);
    rv_ticket_format(&t, text, sizeof(text));
    ok(strlen(text) == RV_TICKET_BASE_LENGTH + RV_TICKET_FP_LENGTH + 34, "longest IPv4 ticket: %u\n",
       (unsigned)strlen(text));

    /* IPv6 is written in RFC 5952 form. */
    make_ticket(&t, 2);
    rv_ticket_format(&t, text, sizeof(text));
    ok(strstr(text, "<L P=\"5901\" N=\"2001:db8::1\"/>") != NULL, "v6: %s\n", text);

    /* The largest ticket fits comfortably. */
    make_ticket(&t, RV_TICKET_MAX_ADDRESSES);
    {
        unsigned int i;
        for (i = 0; i < RV_TICKET_MAX_ADDRESSES; i++)
        {
            t.addresses[i].family = 6;
            memset(t.addresses[i].addr, 0xfe, 16);
            t.addresses[i].addr[15] = (uint8_t)i;
            t.addresses[i].port = 65535;
        }
    }
    hr = rv_ticket_format(&t, text, sizeof(text));
    ok(hr == RV_S_OK && strlen(text) < 600, "largest: %#x, %u\n", (unsigned)hr, (unsigned)strlen(text));
    hr = rv_ticket_parse(text, strlen(text), test_nonce, &parsed);
    ok(hr == RV_S_OK && tickets_equal(&t, &parsed), "largest parse: %#x\n", (unsigned)hr);
}

static void test_format_errors(void)
{
    char text[RV_TICKET_BUFFER_SIZE], small[64];
    struct rv_ticket t;
    rv_result hr;

    make_ticket(&t, 1);
    ok(rv_ticket_format(NULL, text, sizeof(text)) == RV_E_INVALIDARG, "NULL ticket\n");
    ok(rv_ticket_format(&t, NULL, sizeof(text)) == RV_E_INVALIDARG, "NULL buffer\n");
    ok(rv_ticket_format(&t, text, 0) == RV_E_INVALIDARG, "empty buffer\n");
    memset(small, 'x', sizeof(small));
    hr = rv_ticket_format(&t, small, sizeof(small));
    ok(hr == RV_E_INVALIDARG && !small[0], "small buffer: %#x\n", (unsigned)hr);

    t.count = 0;
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_E_INVALIDARG, "no address\n");
    t.count = RV_TICKET_MAX_ADDRESSES + 1;
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_E_INVALIDARG, "too many addresses\n");
    make_ticket(&t, 1);
    t.addresses[0].port = 0;
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_E_INVALIDARG, "port 0\n");
    make_ticket(&t, 1);
    t.addresses[0].family = 5;
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_E_INVALIDARG, "family 5\n");
    make_ticket(&t, 1);
    memset(t.addresses[0].addr, 0, 16);
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_E_INVALIDARG, "unspecified address\n");
    make_ticket(&t, 1);
    t.addresses[0].addr[7] = 1;
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_E_INVALIDARG, "IPv4 with trailing bytes\n");
    make_ticket(&t, 3);
    t.addresses[2] = t.addresses[0];
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_E_INVALIDARG, "duplicate endpoint\n");
    t.addresses[2].port++;
    ok(rv_ticket_format(&t, text, sizeof(text)) == RV_S_OK, "same address, other port\n");
}

/* Whether position i of a formatted ticket is inside an attribute's value. */
static int in_value(const char *text, size_t i)
{
    size_t j;
    int inside = 0;

    for (j = 0; j < i; j++) if (text[j] == '"') inside = !inside;
    return inside && text[i] != '"';
}

/* The ticket has no integrity tag: the channel that carries it protects it.
 * What the parser guarantees is one spelling of one ticket: every one-byte
 * change, deletion or truncation outside a value is refused, and one inside a
 * value that is accepted makes another ticket, which formats back to exactly
 * the changed text. */
static void check_mutations(const struct rv_ticket *t, const char *what)
{
    static const char replacements[] = "0aAfF9-_\"<>/ =&x\x7f\x01";
    char text[RV_TICKET_BUFFER_SIZE], copy[RV_TICKET_BUFFER_SIZE + 8], again[RV_TICKET_BUFFER_SIZE];
    struct rv_ticket parsed;
    size_t length, i, j;
    unsigned int structural = 0, tried = 0, other = 0, bad = 0;
    rv_result hr;

    rv_ticket_format(t, text, sizeof(text));
    length = strlen(text);

    for (i = 0; i < length; i++)
    {
        for (j = 0; j < sizeof(replacements) - 1; j++)
        {
            if (replacements[j] == text[i]) continue;
            memcpy(copy, text, length);
            copy[i] = replacements[j];
            tried++;
            hr = rv_ticket_parse(copy, length, test_nonce, &parsed);
            if (hr == RV_S_OK)
            {
                if (!in_value(text, i)) structural++;
                if (tickets_equal(t, &parsed) || rv_ticket_format(&parsed, again, sizeof(again)) ||
                    strlen(again) != length || memcmp(again, copy, length))
                {
                    bad++;
                    trace("change at %u to '%c' reads as the same ticket or another spelling\n", (unsigned)i,
                          replacements[j]);
                }
                other++;
            }
            else if (hr != RV_E_PROTOCOL && hr != RV_E_ACCESS_DENIED)
            {
                ok(0, "%s: change at %u: unexpected %#x\n", what, (unsigned)i, (unsigned)hr);
            }
        }
    }
    ok(!structural, "%s: %u of %u one-byte changes outside a value accepted\n", what, structural, tried);
    ok(!bad, "%s: %u of %u accepted changes are not another ticket's only spelling\n", what, bad, other);
    /* Some changes to a value make another valid ticket: the check above is not empty. */
    ok(other > 0, "%s: no change made another ticket\n", what);

    structural = 0;
    for (i = 0; i < length; i++)
        if (rv_ticket_parse(text, i, test_nonce, &parsed) == RV_S_OK) structural++;
    ok(!structural, "%s: %u truncations accepted\n", what, structural);

    memcpy(copy, text, length);
    memcpy(copy + length, "<L/>", 4);
    ok(rv_ticket_parse(copy, length + 4, test_nonce, &parsed) == RV_E_PROTOCOL, "%s: trailing element\n", what);
    copy[length] = ' ';
    ok(rv_ticket_parse(copy, length + 1, test_nonce, &parsed) == RV_E_PROTOCOL, "%s: trailing space\n", what);
    copy[length] = 0;
    ok(rv_ticket_parse(copy, length + 1, test_nonce, &parsed) == RV_E_PROTOCOL, "%s: trailing NUL\n", what);

    /* Deleting any one byte: outside a value always refused; inside one, at most another ticket. */
    bad = 0;
    for (i = 0; i < length; i++)
    {
        memcpy(copy, text, i);
        memcpy(copy + i, text + i + 1, length - i - 1);
        if (rv_ticket_parse(copy, length - 1, test_nonce, &parsed) != RV_S_OK) continue;
        if (!in_value(text, i) || tickets_equal(t, &parsed) || rv_ticket_format(&parsed, again, sizeof(again)) ||
            strlen(again) != length - 1 || memcmp(again, copy, length - 1))
        {
            bad++;
            trace("deletion at %u accepted\n", (unsigned)i);
        }
    }
    ok(!bad, "%s: %u deletions accepted as the same ticket or outside a value\n", what, bad);
}

static void test_mutations(void)
{
    struct rv_ticket t;

    make_ticket(&t, 2);
    check_mutations(&t, "fingerprint");
    t.has_fingerprint = 0;
    check_mutations(&t, "no fingerprint");
}

static rv_result parse_str(const char *text)
{
    struct rv_ticket parsed;

    return rv_ticket_parse(text, strlen(text), test_nonce, &parsed);
}

/* Builds a ticket around the given body. */
static void build_text(char *out, size_t size, const struct rv_ticket *t, const char *body)
{
    char text[RV_TICKET_BUFFER_SIZE];
    const char *start, *end;

    rv_ticket_format(t, text, sizeof(text));
    start = strstr(text, "\">") + 2;
    end = strstr(text, "</T>");
    snprintf(out, size, "%.*s%s%s", (int)(start - text), text, body, end);
}

static void test_malformed(void)
{
    char text[RV_TICKET_BUFFER_SIZE], big[RV_TICKET_MAX_LENGTH + 64], buffer[2048];
    struct rv_ticket t, parsed;
    rv_result hr;
    size_t length;

    make_ticket(&t, 1);
    rv_ticket_format(&t, text, sizeof(text));
    length = strlen(text);

    ok(rv_ticket_parse(text, length, test_nonce, NULL) == RV_E_INVALIDARG, "NULL out\n");
    ok(rv_ticket_parse(NULL, length, test_nonce, &parsed) == RV_E_PROTOCOL, "NULL text\n");
    ok(rv_ticket_parse(text, 0, test_nonce, &parsed) == RV_E_PROTOCOL, "empty\n");
    ok(parse_str("") == RV_E_PROTOCOL, "empty string\n");

    /* Oversized: refused on its length alone, however it starts. */
    memset(big, 'A', sizeof(big));
    memcpy(big, text, length);
    ok(rv_ticket_parse(big, RV_TICKET_MAX_LENGTH + 1, test_nonce, &parsed) == RV_E_PROTOCOL, "oversized\n");
    ok(rv_ticket_parse(big, (size_t)-1, test_nonce, &parsed) == RV_E_PROTOCOL, "huge length\n");

    /* XML that is equivalent but not the canonical text. */
    ok(parse_str("<?xml version=\"1.0\"?>") == RV_E_PROTOCOL, "declaration\n");
    snprintf(buffer, sizeof(buffer), "<?xml version=\"1.0\"?>%s", text);
    ok(parse_str(buffer) == RV_E_PROTOCOL, "declaration before the ticket\n");
    snprintf(buffer, sizeof(buffer), "<!DOCTYPE E [<!ENTITY x \"y\">]>%s", text);
    ok(parse_str(buffer) == RV_E_PROTOCOL, "DOCTYPE\n");
    snprintf(buffer, sizeof(buffer), "<!-- c -->%s", text);
    ok(parse_str(buffer) == RV_E_PROTOCOL, "comment\n");
    snprintf(buffer, sizeof(buffer), "%s\n", text);
    ok(parse_str(buffer) == RV_E_PROTOCOL, "newline\n");
    snprintf(buffer, sizeof(buffer), " %s", text);
    ok(parse_str(buffer) == RV_E_PROTOCOL, "leading space\n");

    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"192.0.2.1\" />");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "space before />\n");
    build_text(buffer, sizeof(buffer), &t, "<L N=\"192.0.2.1\" P=\"5900\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "attributes swapped\n");
    build_text(buffer, sizeof(buffer), &t, "<L P='5900' N='192.0.2.1'/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "single quotes\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"192.0.2.1\"></L>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "explicit end tag\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"192.0.2.1\" X=\"1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "extra attribute\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"&#49;92.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "character reference\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"192.0.2.1\"/><X/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "unknown element\n");
    build_text(buffer, sizeof(buffer), &t, "");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "no address\n");

    /* Numbers and addresses. */
    build_text(buffer, sizeof(buffer), &t, "<L P=\"05900\" N=\"192.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "leading zero in port\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"0\" N=\"192.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "port 0\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"65536\" N=\"192.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "port 65536\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"+5900\" N=\"192.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "signed port\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"4294967297\" N=\"192.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "wrapping port\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"192.000.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "leading zeros in address\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"0.0.0.0\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "unspecified IPv4\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"::\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "unspecified IPv6\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"2001:DB8::1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "upper-case IPv6\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"2001:db8:0:0:0:0:0:1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "uncompressed IPv6\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"[::1]\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "bracketed IPv6\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"fe80::1%1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "zone index\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"example.org\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "host name\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"5900\" N=\"192.0.2.1\"/><L P=\"5900\" N=\"192.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "duplicate address\n");
    build_text(buffer, sizeof(buffer), &t, "<L P=\"1\" N=\"192.0.2.1\"/><L P=\"2\" N=\"192.0.2.1\"/>"
               "<L P=\"3\" N=\"192.0.2.1\"/><L P=\"4\" N=\"192.0.2.1\"/><L P=\"5\" N=\"192.0.2.1\"/>");
    ok(parse_str(buffer) == RV_E_PROTOCOL, "five addresses\n");

    /* A field longer than its maximum is refused without reading past it. */
    snprintf(buffer, sizeof(buffer), "<E><A FP=\"%0100d", 0);
    ok(parse_str(buffer) == RV_E_PROTOCOL, "unterminated long FP\n");
    ok(parse_str("<E><A FP=\"") == RV_E_PROTOCOL, "unterminated FP\n");

    /* The fingerprint: 43 base64url characters, the spare bits zero, before ID. */
    {
        static const struct { const char *fp; const char *what; } bad_fps[] =
        {
            { "", "empty" },
            { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh", "42 characters" },
            { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", "44 characters" },
            { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "padding" },
            { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", "spare bits set" },
            { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+", "base64 '+'" },
            { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd/h8", "base64 '/'" },
            { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd.h8", "not base64" },
            { "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex" },
        };
        const char *rest = strstr(text, " ID=");
        unsigned int i;

        for (i = 0; i < sizeof(bad_fps) / sizeof(bad_fps[0]); i++)
        {
            snprintf(buffer, sizeof(buffer), "<E><A FP=\"%s\"%s", bad_fps[i].fp, rest);
            ok(parse_str(buffer) == RV_E_PROTOCOL, "FP %s\n", bad_fps[i].what);
        }
        snprintf(buffer, sizeof(buffer), "<E><A FP=\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"%s", rest);
        ok(parse_str(buffer) == RV_S_OK, "the good FP\n");
        snprintf(buffer, sizeof(buffer), "<E><A FP=\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\" "
                 "FP=\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"%s", rest);
        ok(parse_str(buffer) == RV_E_PROTOCOL, "FP twice\n");
        memcpy(buffer, text, length + 1);
        {
            char *id = strstr(buffer, " ID=\""), *nc = strstr(buffer, " NC=\"");
            char moved[RV_TICKET_BUFFER_SIZE];

            /* ID first, FP after it. */
            snprintf(moved, sizeof(moved), "<E><A%.*s FP=\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"%s",
                     (int)(nc - id), id, nc);
            ok(parse_str(moved) == RV_E_PROTOCOL, "FP after ID: %s\n", moved);
        }
        /* Version 1's integrity tag is not this version's. */
        snprintf(buffer, sizeof(buffer), "<E><A KH=\"%064d\"%s", 0, rest);
        ok(parse_str(buffer) == RV_E_PROTOCOL, "KH\n");
    }

    /* Non-ASCII bytes. */
    memcpy(buffer, text, length + 1);
    buffer[20] = (char)0xc3;
    ok(rv_ticket_parse(buffer, length, test_nonce, &parsed) == RV_E_PROTOCOL, "non-ASCII byte\n");

    hr = parse_str(text);
    ok(hr == RV_S_OK, "the untouched ticket: %#x\n", (unsigned)hr);
}

static void test_binding(void)
{
    static const uint8_t other_nonce[RV_TICKET_NONCE_SIZE] = { 1 };
    char text[RV_TICKET_BUFFER_SIZE];
    struct rv_ticket t, parsed;
    rv_result hr;

    make_ticket(&t, 1);
    rv_ticket_format(&t, text, sizeof(text));
    memset(&parsed, 0x55, sizeof(parsed));
    hr = rv_ticket_parse(text, strlen(text), other_nonce, &parsed);
    ok(hr == RV_E_ACCESS_DENIED, "another session's nonce: %#x\n", (unsigned)hr);
    ok(parsed.count == 0x55555555, "out written on failure\n");

    /* Without an integrity tag, a ticket with another secret is just another
     * ticket: only the channel it travels in keeps it from being changed. */
    t.secret[0] ^= 1;
    rv_ticket_format(&t, text, sizeof(text));
    hr = rv_ticket_parse(text, strlen(text), test_nonce, &parsed);
    ok(hr == RV_S_OK && parsed.secret[0] == t.secret[0], "changed secret: %#x\n", (unsigned)hr);
}

static void test_hello_ack(void)
{
    uint8_t nonce[RV_TICKET_NONCE_SIZE], id[RV_TICKET_ID_SIZE], got[RV_TICKET_ID_SIZE];
    char text[128], copy[128];
    size_t length, i;
    unsigned int accepted = 0;
    rv_result hr;

    hr = rv_ticket_hello_format(test_nonce, text, sizeof(text));
    ok(hr == RV_S_OK && !strcmp(text, "<H V=\"1\" NC=\"00112233445566778899aabbccddeeff\"/>"),
       "hello: %#x %s\n", (unsigned)hr, text);
    ok(rv_ticket_hello_format(test_nonce, text, 20) == RV_E_INVALIDARG, "small hello buffer\n");
    rv_ticket_hello_format(test_nonce, text, sizeof(text));
    length = strlen(text);
    memset(nonce, 0, sizeof(nonce));
    hr = rv_ticket_hello_parse(text, length, nonce);
    ok(hr == RV_S_OK && !memcmp(nonce, test_nonce, sizeof(nonce)), "hello parse: %#x\n", (unsigned)hr);
    ok(rv_ticket_hello_parse(text, length, NULL) == RV_E_INVALIDARG, "hello NULL out\n");
    for (i = 0; i < length; i++)
    {
        memcpy(copy, text, length);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        if (rv_ticket_hello_parse(copy, length, nonce) == RV_S_OK) accepted++;
        if (rv_ticket_hello_parse(text, i, nonce) == RV_S_OK) accepted++;
    }
    ok(!accepted, "%u broken hellos accepted\n", accepted);
    ok(rv_ticket_hello_parse("<H V=\"2\" NC=\"00112233445566778899aabbccddeeff\"/>", 46, nonce) == RV_E_PROTOCOL,
       "hello version 2\n");

    for (i = 0; i < sizeof(id); i++) id[i] = (uint8_t)(0xf0 ^ i);
    hr = rv_ticket_ack_format(id, text, sizeof(text));
    ok(hr == RV_S_OK && !strcmp(text, "<K V=\"1\" ID=\"{F0F1F2F3-F4F5-F6F7-F8F9-FAFBFCFDFEFF}\"/>"),
       "ack: %#x %s\n", (unsigned)hr, text);
    length = strlen(text);
    hr = rv_ticket_ack_parse(text, length, id, got);
    ok(hr == RV_S_OK && !memcmp(got, id, sizeof(id)), "ack parse: %#x\n", (unsigned)hr);
    ok(rv_ticket_ack_parse(text, length, NULL, NULL) == RV_S_OK, "ack without checks\n");
    id[3] ^= 1;
    ok(rv_ticket_ack_parse(text, length, id, got) == RV_E_ACCESS_DENIED, "ack for another ticket\n");
    accepted = 0;
    for (i = 0; i < length; i++)
    {
        memcpy(copy, text, length);
        copy[i] = copy[i] == 'a' ? 'b' : 'a';
        if (rv_ticket_ack_parse(copy, length, NULL, NULL) == RV_S_OK) accepted++;
    }
    ok(!accepted, "%u broken acks accepted\n", accepted);
    /* Lower-case hex in the id is not the canonical spelling. */
    ok(rv_ticket_ack_parse("<K V=\"1\" ID=\"{f0F1F2F3-F4F5-F6F7-F8F9-FAFBFCFDFEFF}\"/>", 54, NULL, NULL)
       == RV_E_PROTOCOL, "lower-case id\n");

    /* The three messages are not mistaken for one another. */
    hr = rv_ticket_hello_format(test_nonce, text, sizeof(text));
    ok(rv_ticket_ack_parse(text, strlen(text), NULL, NULL) == RV_E_PROTOCOL, "hello as ack\n");
    {
        struct rv_ticket parsed;
        ok(rv_ticket_parse(text, strlen(text), NULL, &parsed) == RV_E_PROTOCOL, "hello as ticket\n");
    }
}

static void test_units(void)
{
    static const uint16_t good[] = { '<', 'H', ' ', '~' };
    static const uint16_t bad_high[] = { '<', 0x00e9 };
    static const uint16_t bad_nul[] = { '<', 0 };
    static const uint16_t bad_surrogate[] = { 0xd83d, 0xde00 };
    static uint16_t long_units[RV_TICKET_MAX_LENGTH + 1];
    char buffer[RV_TICKET_BUFFER_SIZE];
    unsigned int i;

    ok(rv_ticket_from_units(good, 4, buffer, sizeof(buffer)) == RV_S_OK && !strcmp(buffer, "<H ~"),
       "good units: %s\n", buffer);
    ok(rv_ticket_from_units(bad_high, 2, buffer, sizeof(buffer)) == RV_E_PROTOCOL && !buffer[0], "non-ASCII\n");
    ok(rv_ticket_from_units(bad_nul, 2, buffer, sizeof(buffer)) == RV_E_PROTOCOL, "embedded NUL\n");
    ok(rv_ticket_from_units(bad_surrogate, 2, buffer, sizeof(buffer)) == RV_E_PROTOCOL, "surrogates\n");
    ok(rv_ticket_from_units(good, 0, buffer, sizeof(buffer)) == RV_E_PROTOCOL, "empty\n");
    ok(rv_ticket_from_units(NULL, 4, buffer, sizeof(buffer)) == RV_E_PROTOCOL, "NULL units\n");
    ok(rv_ticket_from_units(good, 4, buffer, 4) == RV_E_INVALIDARG, "small buffer\n");
    ok(rv_ticket_from_units(good, 4, NULL, 4) == RV_E_INVALIDARG, "NULL buffer\n");
    for (i = 0; i < RV_TICKET_MAX_LENGTH + 1; i++) long_units[i] = 'A';
    ok(rv_ticket_from_units(long_units, RV_TICKET_MAX_LENGTH, buffer, sizeof(buffer)) == RV_S_OK, "longest\n");
    ok(rv_ticket_from_units(long_units, RV_TICKET_MAX_LENGTH + 1, buffer, sizeof(buffer)) == RV_E_PROTOCOL,
       "one over\n");
    /* The length is checked before a unit is read: a huge count with a short array is safe. */
    ok(rv_ticket_from_units(good, (size_t)1 << 40, buffer, sizeof(buffer)) == RV_E_PROTOCOL, "huge count\n");
}

static void test_addresses(void)
{
    static const struct { const char *text; int valid; unsigned int family; const char *canonical; } tests[] =
    {
        { "127.0.0.1", 1, 4, "127.0.0.1" },
        { "10.1.2.3", 1, 4, "10.1.2.3" },
        { "::1", 1, 6, "::1" },
        { "2001:DB8:0:0:0:0:0:1", 1, 6, "2001:db8::1" },
        { "0.0.0.0", 0, 0, NULL },
        { "::", 0, 0, NULL },
        { "0:0:0:0:0:0:0:0", 0, 0, NULL },
        { "1.2.3", 0, 0, NULL },
        { "1.2.3.4.5", 0, 0, NULL },
        { "256.1.1.1", 0, 0, NULL },
        { "01.2.3.4", 0, 0, NULL },
        { "[::1]", 0, 0, NULL },
        { "localhost", 0, 0, NULL },
        { "", 0, 0, NULL },
        { "1.2.3.4 ", 0, 0, NULL },
        { "1111:2222:3333:4444:5555:6666:7777:8888:9999", 0, 0, NULL },
    };
    struct rv_ticket_address a;
    char buffer[RV_TICKET_ADDRESS_BUFFER_SIZE];
    unsigned int i;

    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
    {
        rv_result hr;

        memset(&a, 0, sizeof(a));
        a.port = 77;
        hr = rv_ticket_parse_address(tests[i].text, strlen(tests[i].text), &a);
        ok((hr == RV_S_OK) == tests[i].valid, "\"%s\": %#x\n", tests[i].text, (unsigned)hr);
        if (hr == RV_S_OK && tests[i].valid)
        {
            ok(a.family == tests[i].family && a.port == 77, "\"%s\": family %u port %u\n", tests[i].text,
               a.family, a.port);
            rv_ticket_format_address(&a, buffer);
            ok(!strcmp(buffer, tests[i].canonical), "\"%s\": canonical %s\n", tests[i].text, buffer);
        }
    }
    ok(rv_ticket_parse_address(NULL, 3, &a) == RV_E_INVALIDARG, "NULL text\n");
    ok(rv_ticket_parse_address("::1", 3, NULL) == RV_E_INVALIDARG, "NULL out\n");
    memset(buffer, 'x', sizeof(buffer));
    ok(rv_ticket_parse_address(buffer, sizeof(buffer), &a) == RV_E_PROTOCOL, "too long\n");
}

static void test_wipe(void)
{
    struct rv_ticket t;
    static const struct rv_ticket zero;

    make_ticket(&t, 2);
    rv_ticket_wipe(&t);
    ok(!memcmp(&t, &zero, sizeof(t)), "not wiped\n");
    rv_ticket_wipe(NULL);
}

START_TEST(ticket)
{
    test_roundtrip();
    test_format_errors();
    test_mutations();
    test_malformed();
    test_binding();
    test_hello_ack();
    test_units();
    test_addresses();
    test_wipe();
}

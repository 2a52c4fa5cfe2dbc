/*
 * Unit tests: invitation text and numeric address parsing
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
#include "rvtest.h"

#define SID "00112233445566778899aabbccddeeff"
#define SECRET "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void test_valid(void)
{
    struct rv_invitation inv;
    char text[RV_INVITATION_BUFFER_SIZE];
    rv_result hr;
    int i;

    hr = rv_invitation_parse("rv1:127.0.0.1:4242:" SID ":" SECRET, &inv);
    ok(hr == RV_S_OK, "v4: %#x\n", (unsigned)hr);
    ok(inv.family == 4 && inv.addr[0] == 127 && inv.addr[3] == 1 && inv.port == 4242, "v4 fields\n");
    ok(inv.session_id[0] == 0x00 && inv.session_id[15] == 0xff, "session id\n");
    for (i = 0; i < 32; i++) if (inv.secret[i] != i) break;
    ok(i == 32, "secret byte %d\n", i);

    hr = rv_invitation_format(&inv, text, sizeof(text));
    ok(hr == RV_S_OK && !strcmp(text, "rv1:127.0.0.1:4242:" SID ":" SECRET), "format: %s\n", text);

    hr = rv_invitation_parse("rv1:[::1]:65535:" SID ":" SECRET, &inv);
    ok(hr == RV_S_OK && inv.family == 6 && inv.addr[15] == 1 && inv.port == 65535,
       "v6: %#x\n", (unsigned)hr);
    rv_invitation_format(&inv, text, sizeof(text));
    ok(!strcmp(text, "rv1:[::1]:65535:" SID ":" SECRET), "v6 format: %s\n", text);

    /* Upper-case hex is accepted; output is lower case. */
    hr = rv_invitation_parse("rv1:[FE80::ABCD:1]:1:00112233445566778899AABBCCDDEEFF:" SECRET, &inv);
    ok(hr == RV_S_OK && inv.port == 1 && inv.session_id[10] == 0xaa, "upper case: %#x\n", (unsigned)hr);
    rv_invitation_format(&inv, text, sizeof(text));
    ok(!strcmp(text, "rv1:[fe80::abcd:1]:1:" SID ":" SECRET), "canonical: %s\n", text);

    hr = rv_invitation_parse("rv1:[::ffff:10.1.2.3]:80:" SID ":" SECRET, &inv);
    ok(hr == RV_S_OK && inv.addr[10] == 0xff && inv.addr[12] == 10 && inv.addr[15] == 3,
       "v4 tail: %#x\n", (unsigned)hr);
    hr = rv_invitation_parse("rv1:0.0.0.0:80:" SID ":" SECRET, &inv);
    ok(hr == RV_S_OK, "zero address text: %#x\n", (unsigned)hr);
    hr = rv_invitation_parse("rv1:255.255.255.255:80:" SID ":" SECRET, &inv);
    ok(hr == RV_S_OK, "broadcast text: %#x\n", (unsigned)hr);

    /* parse_bytes needs no terminator */
    {
        static const char raw[] = "rv1:10.0.0.1:5:" SID ":" SECRET "GARBAGE";
        hr = rv_invitation_parse_bytes(raw, sizeof(raw) - 1 - 7, &inv);
        ok(hr == RV_S_OK && inv.port == 5, "parse_bytes: %#x\n", (unsigned)hr);
    }
}

static void test_ipv6_forms(void)
{
    static const struct { const char *text; int valid; const char *canonical; } tests[] =
    {
        { "::", 1, "::" },
        { "::1", 1, "::1" },
        { "1::", 1, "1::" },
        { "1:2:3:4:5:6:7:8", 1, "1:2:3:4:5:6:7:8" },
        { "1:0:0:4:0:0:0:8", 1, "1:0:0:4::8" },
        { "1:0:0:0:5:0:0:8", 1, "1::5:0:0:8" },
        { "2001:db8:0:0:1:0:0:1", 1, "2001:db8::1:0:0:1" },
        { "2001:0db8:0000:0000:0000:0000:0000:0001", 1, "2001:db8::1" },
        { "1:0:3:4:5:6:7:8", 1, "1:0:3:4:5:6:7:8" },
        { "::ffff:1.2.3.4", 1, "::ffff:102:304" },
        { "1:2:3:4:5:6:1.2.3.4", 1, "1:2:3:4:5:6:102:304" },
        { "1:2:3:4:5:6:7::", 1, "1:2:3:4:5:6:7:0" },
        { "::2:3:4:5:6:7:8", 1, "0:2:3:4:5:6:7:8" },
        { "", 0, NULL },
        { ":", 0, NULL },
        { ":::", 0, NULL },
        { "1:::2", 0, NULL },
        { "1::2::3", 0, NULL },
        { ":1:2:3:4:5:6:7", 0, NULL },
        { "1:2:3:4:5:6:7:", 0, NULL },
        { "1:2:3:4:5:6:7", 0, NULL },
        { "1:2:3:4:5:6:7:8:9", 0, NULL },
        { "1:2:3:4:5:6:7:8::", 0, NULL },
        { "::1:2:3:4:5:6:7:8", 0, NULL },
        { "12345::", 0, NULL },
        { "g::", 0, NULL },
        { "1:2:3:4:5:6:7:1.2.3.4", 0, NULL },
        { "::1.2.3", 0, NULL },
        { "::1.2.3.4:5", 0, NULL },
        { "::01.2.3.4", 0, NULL },
        { "fe80::1%eth0", 0, NULL },
        { " ::1", 0, NULL },
    };
    unsigned int i;

    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
    {
        uint8_t addr[16];
        char text[48];
        int valid = rv_parse_ipv6(tests[i].text, strlen(tests[i].text), addr);

        ok(valid == tests[i].valid, "\"%s\": valid %d\n", tests[i].text, valid);
        if (valid && tests[i].valid)
        {
            rv_format_ip(6, addr, text);
            ok(!strcmp(text, tests[i].canonical), "\"%s\" formatted as %s\n", tests[i].text, text);
        }
    }
}

static void test_ipv4_forms(void)
{
    static const struct { const char *text; int valid; } tests[] =
    {
        { "0.0.0.0", 1 }, { "1.2.3.4", 1 }, { "255.255.255.255", 1 }, { "10.0.10.100", 1 },
        { "256.1.1.1", 0 }, { "1.2.3", 0 }, { "1.2.3.4.5", 0 }, { "01.2.3.4", 0 },
        { "1.2.3.04", 0 }, { "1..3.4", 0 }, { "1.2.3.", 0 }, { ".1.2.3", 0 },
        { "1.2.3.4 ", 0 }, { "+1.2.3.4", 0 }, { "1.2.3.-4", 0 }, { "1000.2.3.4", 0 },
        { "0x1.2.3.4", 0 }, { "", 0 },
    };
    unsigned int i;

    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
    {
        uint8_t addr[4];

        ok(rv_parse_ipv4(tests[i].text, strlen(tests[i].text), addr) == tests[i].valid,
           "\"%s\"\n", tests[i].text);
    }
}

static void test_malformed(void)
{
    static const char *const bad[] =
    {
        "",
        "rv1",
        "rv1:",
        "rv2:127.0.0.1:80:" SID ":" SECRET,
        "RV1:127.0.0.1:80:" SID ":" SECRET,
        " rv1:127.0.0.1:80:" SID ":" SECRET,
        "rv1:127.0.0.1:80:" SID ":" SECRET " ",
        "rv1:127.0.0.1:80:" SID ":" SECRET "\n",
        "rv1:127.0.0.1:80:" SID ":" SECRET ":",
        "rv1:127.0.0.1:80:" SID ":" SECRET "0",
        "rv1:127.0.0.1:80:" SID ":" SECRET "00",
        "rv1:127.0.0.1:80:" SID ":" "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
        "rv1:127.0.0.1:80:" SID ":" "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",
        "rv1:127.0.0.1:80:" "00112233445566778899aabbccddeef" ":" SECRET,
        "rv1:127.0.0.1:80:" "00112233445566778899aabbccddeeff0" ":" SECRET,
        "rv1:127.0.0.1:80:" "0011223344556677-899aabbccddeeff" ":" SECRET,
        "rv1:127.0.0.1:80:" SID SECRET,
        "rv1:127.0.0.1:80::" SID ":" SECRET,
        "rv1:127.0.0.1:0:" SID ":" SECRET,
        "rv1:127.0.0.1:080:" SID ":" SECRET,
        "rv1:127.0.0.1:65536:" SID ":" SECRET,
        "rv1:127.0.0.1:99999:" SID ":" SECRET,
        "rv1:127.0.0.1:123456:" SID ":" SECRET,
        "rv1:127.0.0.1:-1:" SID ":" SECRET,
        "rv1:127.0.0.1:+80:" SID ":" SECRET,
        "rv1:127.0.0.1: 80:" SID ":" SECRET,
        "rv1:127.0.0.1::" SID ":" SECRET,
        "rv1:127.0.0.1:" SID ":" SECRET,
        "rv1:127.0.0:80:" SID ":" SECRET,
        "rv1:localhost:80:" SID ":" SECRET,
        "rv1::80:" SID ":" SECRET,
        "rv1:[]:80:" SID ":" SECRET,
        "rv1:[::1:80:" SID ":" SECRET,
        "rv1:::1:80:" SID ":" SECRET,
        "rv1:[::1]80:" SID ":" SECRET,
        "rv1:[127.0.0.1]:80:" SID ":" SECRET,
        "rv1:[fe80::1%1]:80:" SID ":" SECRET,
        "rv1:[[::1]]:80:" SID ":" SECRET,
        "rv1:127.0.0.1:80:" SID ":",
        ("rv1:127.0.0.1:80:" SID),
        "rv1:127.0.0.1:80",
    };
    struct rv_invitation inv;
    unsigned int i;
    char embedded[] = "rv1:127.0.0.1:80:" SID ":" SECRET;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    {
        rv_result hr = rv_invitation_parse(bad[i], &inv);
        static const uint8_t zero[sizeof(inv)];

        ok(hr == RV_E_INVALIDARG, "\"%s\": %#x\n", bad[i], (unsigned)hr);
        ok(!memcmp(&inv, zero, sizeof(inv)), "output not cleared for \"%s\"\n", bad[i]);
    }

    ok(rv_invitation_parse(NULL, &inv) == RV_E_INVALIDARG, "NULL text\n");
    ok(rv_invitation_parse("rv1:127.0.0.1:80:" SID ":" SECRET, NULL) == RV_E_POINTER, "NULL out\n");

    /* Embedded NUL inside the byte form */
    embedded[20] = 0;
    ok(rv_invitation_parse_bytes(embedded, sizeof(embedded) - 1, &inv) == RV_E_INVALIDARG,
       "embedded NUL accepted\n");
}

static void test_length_limit(void)
{
    struct rv_invitation inv;
    char *text = malloc(4096);
    size_t i;

    /* Longer than the limit: rejected without reading to the end. */
    memset(text, 'a', 4096);
    text[4095] = 0;
    ok(rv_invitation_parse(text, &inv) == RV_E_INVALIDARG, "long text accepted\n");

    /* Exactly the limit, unterminated after 256 bytes: must not read past it (ASan). */
    {
        char *exact = malloc(RV_INVITATION_MAX_LENGTH + 1);

        memset(exact, 'x', RV_INVITATION_MAX_LENGTH + 1);
        ok(rv_invitation_parse(exact, &inv) == RV_E_INVALIDARG, "unterminated accepted\n");
        exact[RV_INVITATION_MAX_LENGTH] = 0;
        ok(rv_invitation_parse(exact, &inv) == RV_E_INVALIDARG, "garbage accepted\n");
        free(exact);
    }

    /* Every prefix of a valid invitation is invalid. */
    strcpy(text, "rv1:[2001:db8::1]:4242:" SID ":" SECRET);
    for (i = 0; i < strlen(text); i++)
    {
        char *prefix = malloc(i + 1);

        memcpy(prefix, text, i);
        prefix[i] = 0;
        if (rv_invitation_parse(prefix, &inv) != RV_E_INVALIDARG) break;
        free(prefix);
    }
    ok(i == strlen(text), "prefix of %u chars accepted\n", (unsigned)i);
    ok(rv_invitation_parse(text, &inv) == RV_S_OK, "full text rejected\n");

    /* parse_bytes over the limit */
    ok(rv_invitation_parse_bytes(text, 300, &inv) == RV_E_INVALIDARG, "300 bytes accepted\n");
    free(text);

    /* format needs a full-size buffer */
    {
        char small[100];

        rv_invitation_parse("rv1:127.0.0.1:80:" SID ":" SECRET, &inv);
        ok(rv_invitation_format(&inv, small, sizeof(small)) == RV_E_INVALIDARG, "small buffer\n");
        inv.port = 0;
        {
            char big[RV_INVITATION_BUFFER_SIZE];
            ok(rv_invitation_format(&inv, big, sizeof(big)) == RV_E_INVALIDARG, "port 0 formatted\n");
        }
    }
}

static uint32_t rng_state = 99;

static uint32_t next_random(void)
{
    rng_state = rng_state * 1103515245 + 12345;
    return rng_state >> 8;
}

/* Mutations of a valid text: must never crash, and a success must round-trip. */
static void test_mutations(void)
{
    static const char alphabet[] = "rv1:[]0123456789abcdefABCDEF.:x \0";
    const char *base = "rv1:[2001:db8::1]:4242:" SID ":" SECRET;
    int round, accepted = 0, bad = 0;

    for (round = 0; round < 50000; round++)
    {
        char text[300], out[RV_INVITATION_BUFFER_SIZE];
        struct rv_invitation inv, again;
        size_t len = strlen(base), pos;
        int edits = 1 + (int)(next_random() % 3);

        memcpy(text, base, len + 1);
        while (edits--)
        {
            pos = next_random() % (len + 1);
            switch (next_random() % 3)
            {
            case 0:
                if (pos < len) text[pos] = alphabet[next_random() % (sizeof(alphabet) - 1)];
                break;
            case 1:
                if (pos < len)
                {
                    memmove(text + pos, text + pos + 1, len - pos);
                    len--;
                }
                break;
            default:
                if (len < 290)
                {
                    memmove(text + pos + 1, text + pos, len - pos + 1);
                    text[pos] = alphabet[next_random() % (sizeof(alphabet) - 2)];
                    len++;
                }
                break;
            }
        }
        if (rv_invitation_parse_bytes(text, len, &inv) == RV_S_OK)
        {
            accepted++;
            if (rv_invitation_format(&inv, out, sizeof(out)) ||
                rv_invitation_parse(out, &again) || memcmp(&inv, &again, sizeof(inv)))
                bad++;
        }
    }
    ok(!bad, "%d accepted mutations did not round-trip\n", bad);
    ok(accepted > 0 && accepted < 50000, "accepted %d mutations\n", accepted);
}

START_TEST(invitation)
{
    test_valid();
    test_ipv6_forms();
    test_ipv4_forms();
    test_malformed();
    test_length_limit();
    test_mutations();
}

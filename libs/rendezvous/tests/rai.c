/*
 * Tests of the Windows Remote Assistance invitation parser ([MS-RAI])
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

#include <stdlib.h>
#include <string.h>

#include "rv_rai.h"
#include "rvtest.h"
#include "rai_vectors.h"

static rv_result parse1(const char *text, struct rv_rai_string1 *out)
{
    return rv_rai_parse_string1(text, strlen(text), out);
}

static rv_result parse2(const char *text, struct rv_rai_string2 *out)
{
    return rv_rai_parse_string2(text, strlen(text), out);
}

static rv_result parse_file(const char *text, struct rv_rai_invitation *out)
{
    return rv_rai_parse_file((const uint8_t *)text, strlen(text), out);
}

/* ASCII text as UTF-16LE, with a BOM if asked, into a malloc'd buffer. */
static uint8_t *to_utf16(const char *text, int bom, size_t *size)
{
    size_t n = strlen(text), i, pos = 0;
    uint8_t *out = malloc(2 * n + 2);

    if (bom) { out[pos++] = 0xff; out[pos++] = 0xfe; }
    for (i = 0; i < n; i++)
    {
        out[pos++] = (uint8_t)text[i];
        out[pos++] = 0;
    }
    *size = pos;
    return out;
}

static void test_string1(void)
{
    struct rv_rai_string1 s;

    ok(parse1(MSRAI_STRING1, &s) == RV_S_OK, "[MS-RAI] sample refused\n");
    ok(s.count == 2, "count %u\n", s.count);
    ok(!strcmp(s.addresses[0].host, "172.31.243.138") && s.addresses[0].port == 3389, "first %s:%u\n",
       s.addresses[0].host, s.addresses[0].port);
    ok(!strcmp(s.addresses[1].host, "MIKE_HOME") && s.addresses[1].port == 3389, "second %s:%u\n",
       s.addresses[1].host, s.addresses[1].port);
    ok(!strcmp(s.session_id, "Uj7RpOlU80SibpRwRZ9+z1vbh7nIgVn89X1AiKp15Vc="), "session id %s\n", s.session_id);
    ok(!strcmp(s.params, "RcfwecK8dpcT1fjZ6iQ5M0+q7iU="), "params %s\n", s.params);

    ok(parse1(TYPE1_RCTICKET, &s) == RV_S_OK, "type 1 vector refused\n");
    ok(s.count == 2 && !strcmp(s.addresses[1].host, "winxpsp3.contoso3.com"), "type 1: %u, %s\n",
       s.count, s.addresses[1].host);
    ok(parse1(TYPE2_RCTICKET, &s) == RV_S_OK, "type 2 vector refused\n");
    ok(s.count == 2 && !strcmp(s.addresses[0].host, "192.168.1.200") && s.addresses[0].port == 49230 &&
       !strcmp(s.addresses[1].host, "169.254.6.170") && s.addresses[1].port == 49231, "type 2 addresses\n");
    ok(!strcmp(s.session_id, "+ULZ6ifjoCa6cGPMLQiGHRPwkg6VyJqGwxMnO6GcelwUh9a6/FBq3It5ADSndmLL"),
       "type 2 id %s\n", s.session_id);
}

static void test_string1_malformed(void)
{
    static const char *bad[] =
    {
        "",
        "65539,1,10.0.0.1:3389,*,AAAA,*,*,AAAA",       /* version */
        "65538,2,10.0.0.1:3389,*,AAAA,*,*,AAAA",       /* type */
        "65538,1,10.0.0.1:3389,x,AAAA,*,*,AAAA",       /* assistantAccountPwd */
        "65538,1,10.0.0.1:3389,*,AAAA,*,*",            /* seven fields */
        "65538,1,10.0.0.1:3389,*,AAAA,*,*,AAAA,",      /* nine */
        "65538,1,10.0.0.1:0,*,AAAA,*,*,AAAA",          /* port 0 */
        "65538,1,10.0.0.1:65536,*,AAAA,*,*,AAAA",      /* port too big */
        "65538,1,10.0.0.1:03389,*,AAAA,*,*,AAAA",      /* leading zero */
        "65538,1,10.0.0.1,*,AAAA,*,*,AAAA",            /* no port */
        "65538,1,,*,AAAA,*,*,AAAA",                    /* no address */
        "65538,1,10.0.0.1:3389;,*,AAAA,*,*,AAAA",      /* empty pair */
        "65538,1,fe80::1:3389,*,AAAA,*,*,AAAA",        /* IPv6 has no place here */
        "65538,1,bad host:3389,*,AAAA,*,*,AAAA",
        "65538,1,.x:3389,*,AAAA,*,*,AAAA",
        "65538,1,10.0.0.1:3389,*,AAA,*,*,AAAA",        /* base64 length */
        "65538,1,10.0.0.1:3389,*,AA=A,*,*,AAAA",       /* padding inside */
        "65538,1,10.0.0.1:3389,*,AAAA,*,*,A-A_",       /* base64url */
        "65538,1,10.0.0.1:3389,*,,*,*,AAAA",
    };
    char text[RV_RAI_MAX_STRING_LENGTH + 64];
    struct rv_rai_string1 s;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(parse1(bad[i], &s) == RV_E_PROTOCOL, "accepted %s\n", bad[i]);

    /* RV_RAI_MAX_ADDRESSES pairs fit, one more does not. */
    strcpy(text, "65538,1,");
    for (i = 0; i < RV_RAI_MAX_ADDRESSES; i++) strcat(text, i ? ";h:1" : "h:1");
    strcat(text, ",*,AAAA,*,*,AAAA");
    ok(parse1(text, &s) == RV_S_OK && s.count == RV_RAI_MAX_ADDRESSES, "%u addresses refused\n",
       RV_RAI_MAX_ADDRESSES);
    strcpy(text, "65538,1,");
    for (i = 0; i <= RV_RAI_MAX_ADDRESSES; i++) strcat(text, i ? ";h:1" : "h:1");
    strcat(text, ",*,AAAA,*,*,AAAA");
    ok(parse1(text, &s) == RV_E_PROTOCOL, "too many addresses accepted\n");

    memset(text, 'A', sizeof(text));
    ok(rv_rai_parse_string1(text, RV_RAI_MAX_STRING_LENGTH + 1, &s) == RV_E_PROTOCOL, "too long\n");
    ok(rv_rai_parse_string1(NULL, 3, &s) == RV_E_PROTOCOL, "NULL text\n");
    ok(rv_rai_parse_string1(MSRAI_STRING1, strlen(MSRAI_STRING1), NULL) == RV_E_PROTOCOL, "NULL out\n");
}

static void test_string2(void)
{
    static const char pretty[] =
        "<E>\r\n<A KH=\"BNRjdu97DyczQSRuMRrDWoue+HA=\"\n ID=\"AAAA\" KH2=\"BBBB\" CE=\"anything\" />\r\n"
        "<C>\n<T ID=\"1\" SID=\"0\">\n\t<L P=\"49228\" N=\"fe80::1032:53d9:5a01:909b%3\"/>\n"
        "\t<L N='host.example' P='5'/>\n</T>\n<T ID=\"2\" SID=\"7\"><L P=\"1\" N=\"10.0.0.1\"/></T>\n</C>\n</E>\r\n";
    struct rv_rai_string2 s;
    uint8_t *units;
    size_t size;

    ok(parse2(TYPE2_STRING2, &s) == RV_S_OK, "type 2 connection string refused\n");
    ok(!strcmp(s.kh, "BNRjdu97DyczQSRuMRrDWoue+HA="), "kh %s\n", s.kh);
    ok(!s.kh2[0], "kh2 %s\n", s.kh2);
    ok(!strcmp(s.id, "+ULZ6ifjoCa6cGPMLQiGHRPwkg6VyJqGwxMnO6GcelwUh9a6/FBq3It5ADSndmLL"), "id %s\n", s.id);
    ok(s.count == 4, "count %u\n", s.count);
    ok(!strcmp(s.addresses[0].host, "fe80::1032:53d9:5a01:909b%3") && s.addresses[0].port == 49228,
       "first %s %u\n", s.addresses[0].host, s.addresses[0].port);
    ok(!strcmp(s.addresses[1].host, "fe80::3d8f:9b2d:6b4e:6aa%6") && s.addresses[1].port == 49229,
       "second %s\n", s.addresses[1].host);
    ok(!strcmp(s.addresses[2].host, "192.168.1.200") && s.addresses[2].port == 49230, "third\n");
    ok(!strcmp(s.addresses[3].host, "169.254.6.170") && s.addresses[3].port == 49231, "fourth\n");

    ok(parse2(pretty, &s) == RV_S_OK, "whitespace, KH2, CE, two T refused\n");
    ok(!strcmp(s.kh2, "BBBB") && s.count == 3 && !strcmp(s.addresses[1].host, "host.example") &&
       s.addresses[1].port == 5 && !strcmp(s.addresses[2].host, "10.0.0.1"), "pretty: %u\n", s.count);

    /* As LHTICKET decrypts: UTF-16LE, CR LF, NULs. */
    units = to_utf16(TYPE2_STRING2 "\r\n", 0, &size);
    ok(rv_rai_parse_string2_utf16(units, size, &s) == RV_S_OK && s.count == 4, "UTF-16 refused\n");
    ok(rv_rai_parse_string2_utf16(units, size - 1, &s) == RV_E_PROTOCOL, "odd size accepted\n");
    units[3] = 1;
    ok(rv_rai_parse_string2_utf16(units, size, &s) == RV_E_PROTOCOL, "non-ASCII unit accepted\n");
    free(units);
    units = to_utf16(TYPE2_STRING2 "\r\nx", 0, &size);
    ok(rv_rai_parse_string2_utf16(units, size, &s) == RV_E_PROTOCOL, "text after CR LF accepted\n");
    free(units);
}

static void test_string2_malformed(void)
{
    static const char *bad[] =
    {
        "",
        "<E><A ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",           /* no KH */
        "<E><A KH=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",           /* no ID */
        "<E><A KH=\"AAAA\" ID=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\" X=\"1\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",
        "<E><A KH=\"AAAA\"ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>",  /* no space */
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C></C></E>",                                             /* no T */
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"></T></C></E>",                   /* no L */
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\"><L P=\"1\" N=\"h\"/></T></C></E>",         /* no SID */
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"0\" N=\"h\"/></T></C></E>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"fe80::1%\"/></T></C></E>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"fe80::1::2\"/></T></C></E>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"a b\"/></T></C></E>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"></T></C></E>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E>x",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"&amp;\"/></T></C></E>",
        "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"1\" N=\"h\"/></T></C></E><!-- -->",
    };
    char text[RV_RAI_MAX_STRING_LENGTH + 64];
    struct rv_rai_string2 s;
    size_t i, length = strlen(TYPE2_STRING2);

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(parse2(bad[i], &s) == RV_E_PROTOCOL, "accepted %s\n", bad[i]);
    /* Every proper prefix of a good string is malformed. */
    for (i = 0; i < length; i++)
        if (rv_rai_parse_string2(TYPE2_STRING2, i, &s) != RV_E_PROTOCOL) break;
    ok(i == length, "prefix of %u characters accepted\n", (unsigned int)i);

    strcpy(text, "<E><A KH=\"AAAA\" ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\">");
    for (i = 0; i <= RV_RAI_MAX_ADDRESSES; i++) strcat(text, "<L P=\"1\" N=\"h\"/>");
    strcat(text, "</T></C></E>");
    ok(parse2(text, &s) == RV_E_PROTOCOL, "too many addresses accepted\n");
    memset(text, ' ', sizeof(text));
    ok(rv_rai_parse_string2(text, RV_RAI_MAX_STRING_LENGTH + 1, &s) == RV_E_PROTOCOL, "too long\n");
}

static void test_file(void)
{
    struct rv_rai_invitation inv;
    uint8_t *bytes;
    char text[2048];
    size_t size;

    ok(parse_file(TYPE1_FILE, &inv) == RV_S_OK, "type 1 file refused\n");
    ok(!strcmp(inv.username, "Administrator"), "username %s\n", inv.username);
    ok(inv.rcticket.count == 2 && !strcmp(inv.rcticket.addresses[0].host, "10.0.3.105"), "rcticket\n");
    ok(inv.rcticket_encrypted == 1, "encrypted %u\n", inv.rcticket_encrypted);
    ok(!strcmp(inv.passstub, "RT=0PvIndan52*"), "passstub %s\n", inv.passstub);
    ok(inv.has_expiry && inv.dt_start == 1314905741 && inv.dt_length == 180, "expiry\n");
    ok(inv.low_speed == 0 && inv.lhticket_size == 0, "L or LHTICKET\n");
    /* The published text runs two attributes together, which XML does not allow. */
    ok(parse_file(TYPE1_FILE_AS_PUBLISHED, &inv) == RV_E_PROTOCOL, "attributes without a space accepted\n");

    /* As Windows writes it: UTF-16LE with a BOM. */
    bytes = to_utf16(TYPE1_FILE, 1, &size);
    memset(&inv, 0, sizeof(inv));
    ok(rv_rai_parse_file(bytes, size, &inv) == RV_S_OK && !strcmp(inv.passstub, "RT=0PvIndan52*"),
       "UTF-16 file refused\n");
    ok(rv_rai_parse_file(bytes + 2, size - 2, &inv) == RV_E_PROTOCOL, "UTF-16 without BOM accepted\n");
    ok(rv_rai_parse_file(bytes, size - 1, &inv) == RV_E_PROTOCOL, "odd UTF-16 accepted\n");
    free(bytes);

    ok(parse_file(TYPE2_FILE, &inv) == RV_S_OK, "type 2 file refused\n");
    ok(!strcmp(inv.username, "awake") && !strcmp(inv.passstub, "WB^6HsrIaFmEpi"), "type 2 values\n");
    ok(inv.lhticket_size == 608 && inv.lhticket[0] == 0x20 && inv.lhticket[607] == 0xe6, "lhticket %u\n",
       (unsigned int)inv.lhticket_size);
    ok(inv.dt_start == 1403972263 && inv.dt_length == 14400, "type 2 expiry\n");

    /* [MS-RAI]'s own sample, whitespace and all, as Windows writes it. */
    bytes = to_utf16(MSRAI_FILE, 1, &size);
    ok(rv_rai_parse_file(bytes, size, &inv) == RV_S_OK, "[MS-RAI] sample file refused\n");
    free(bytes);
    ok(!strcmp(inv.username, "jeff") && !strcmp(inv.passstub, "o2*5GdBARK_JBB"), "sample values\n");
    ok(inv.rcticket.count == 2 && !strcmp(inv.rcticket.addresses[0].host, "192.168.1.65") &&
       !strcmp(inv.rcticket.addresses[1].host, "jeff_xp") && inv.rcticket.addresses[1].port == 3389,
       "sample addresses\n");
    ok(!strcmp(inv.rcticket.session_id, "ot9B5Ut8n6FmiIOr2Aa915WwuLcMdtNl5AoXFiA4wLg="), "sample id %s\n",
       inv.rcticket.session_id);
    ok(inv.dt_start == 1160080069 && inv.dt_length == 60 && inv.rcticket_encrypted == 1, "sample expiry\n");

    /* UTF-8 with its BOM, a name with entities and non-ASCII, no expiry. */
    snprintf(text, sizeof(text), "\xef\xbb\xbf<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA "
             "USERNAME=\"J&amp;J &lt;Z\xc3\xa9&gt;\" RCTICKET=\"%s\"/></UPLOADINFO>\r\n", MSRAI_STRING1);
    ok(parse_file(text, &inv) == RV_S_OK, "UTF-8 file refused\n");
    ok(!strcmp(inv.username, "J&J <Z\xc3\xa9>"), "username %s\n", inv.username);
    ok(!inv.has_expiry && !inv.passstub[0], "expiry or passstub\n");
}

static void test_file_malformed(void)
{
    static const char *bad_attributes[] =
    {
        "RCTICKET=\"" MSRAI_STRING1 "\"",                                         /* no USERNAME */
        "USERNAME=\"a\"",                                                         /* no RCTICKET */
        "USERNAME=\"\" RCTICKET=\"" MSRAI_STRING1 "\"",
        "USERNAME=\"a&b\" RCTICKET=\"" MSRAI_STRING1 "\"",
        "USERNAME=\"a\tb\" RCTICKET=\"" MSRAI_STRING1 "\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" DtStart=\"4611686018427387905\" DtLength=\"1\"",
        "USERNAME=\"a\" USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" OTHER=\"1\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" DtStart=\"1\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" DtLength=\"1\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" DtStart=\"-1\" DtLength=\"1\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" DtStart=\"1\" DtLength=\"4294967296\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" RCTICKETENCRYPTED=\"2\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" L=\"yes\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" PassStub=\"\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" PassStub=\"a b\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" LHTICKET=\"00\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" LHTICKET=\"000000000000000000000000000000000\"",
        "USERNAME=\"a\" RCTICKET=\"" MSRAI_STRING1 "\" LHTICKET=\"0000000000000000000000000000000g\"",
        "USERNAME=\"a\" RCTICKET=\"65538,1,h:1,*,AAAA,*,*\"",
    };
    char text[2048];
    struct rv_rai_invitation inv;
    size_t i, length = strlen(TYPE1_FILE);
    uint8_t *big;

    for (i = 0; i < sizeof(bad_attributes) / sizeof(bad_attributes[0]); i++)
    {
        snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA %s/></UPLOADINFO>",
                 bad_attributes[i]);
        ok(parse_file(text, &inv) == RV_E_PROTOCOL, "accepted %s\n", bad_attributes[i]);
    }
    snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"a\" RCTICKET=\"%s\"/>"
             "</UPLOADINFO>", MSRAI_STRING1);
    ok(parse_file(text, &inv) == RV_S_OK, "minimal file refused\n");
    snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"a\" RCTICKET=\"%s\" "
             "DtStart=\"4611686018427387904\" DtLength=\"4294967295\"/></UPLOADINFO>", MSRAI_STRING1);
    ok(parse_file(text, &inv) == RV_S_OK && inv.dt_start == (int64_t)1 << 62 && inv.dt_length == 4294967295u,
       "largest DtStart and DtLength refused\n");
    snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Other\"><UPLOADDATA USERNAME=\"a\" RCTICKET=\"%s\"/>"
             "</UPLOADINFO>", MSRAI_STRING1);
    ok(parse_file(text, &inv) == RV_E_PROTOCOL, "other TYPE accepted\n");
    snprintf(text, sizeof(text), "<!DOCTYPE x><UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"a\" "
             "RCTICKET=\"%s\"/></UPLOADINFO>", MSRAI_STRING1);
    ok(parse_file(text, &inv) == RV_E_PROTOCOL, "DOCTYPE accepted\n");
    snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"\xc0\xae\" "
             "RCTICKET=\"%s\"/></UPLOADINFO>", MSRAI_STRING1);
    ok(parse_file(text, &inv) == RV_E_PROTOCOL, "overlong UTF-8 accepted\n");
    snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"\x01\" "
             "RCTICKET=\"%s\"/></UPLOADINFO>", MSRAI_STRING1);
    ok(parse_file(text, &inv) == RV_E_PROTOCOL, "control character accepted\n");

    for (i = 0; i < length; i++)
        if (rv_rai_parse_file((const uint8_t *)TYPE1_FILE, i, &inv) != RV_E_PROTOCOL) break;
    ok(i == length, "prefix of %u bytes accepted\n", (unsigned int)i);

    big = malloc(RV_RAI_MAX_FILE_SIZE + 1);
    memset(big, ' ', RV_RAI_MAX_FILE_SIZE + 1);
    memcpy(big, TYPE1_FILE, length);
    ok(rv_rai_parse_file(big, RV_RAI_MAX_FILE_SIZE, &inv) == RV_S_OK, "trailing spaces refused\n");
    ok(rv_rai_parse_file(big, RV_RAI_MAX_FILE_SIZE + 1, &inv) == RV_E_PROTOCOL, "oversized file accepted\n");
    free(big);
    ok(rv_rai_parse_file(NULL, 0, &inv) == RV_E_PROTOCOL, "NULL accepted\n");
}

START_TEST(rai)
{
    test_string1();
    test_string1_malformed();
    test_string2();
    test_string2_malformed();
    test_file();
    test_file_malformed();
}

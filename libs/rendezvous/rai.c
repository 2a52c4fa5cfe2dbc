/*
 * Rendezvous core: Windows Remote Assistance invitations ([MS-RAI])
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
#include "rv_rai.h"

/* Longest element or attribute name this format has ("RCTICKETENCRYPTED"). */
#define MAX_NAME_LENGTH 32
/* A UTF-16 unit becomes at most 3 bytes of UTF-8. */
#define TEXT_BUFFER_SIZE (RV_RAI_MAX_FILE_SIZE / 2 * 3)
#define MAX_ZONE_LENGTH 32
/* DtStart's limit: 2^62 seconds. */
#define MAX_DT_START ((uint64_t)1 << 62)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A cursor over untrusted text; every read is bounded by end. */
struct cursor
{
    const char *p;
    const char *end;
};

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int is_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* Skips XML whitespace; returns how much there was. */
static size_t skip_space(struct cursor *c)
{
    const char *start = c->p;

    while (c->p < c->end && is_space(*c->p)) c->p++;
    return (size_t)(c->p - start);
}

static int expect(struct cursor *c, const char *literal)
{
    size_t n = strlen(literal);

    if ((size_t)(c->end - c->p) < n || memcmp(c->p, literal, n)) return 0;
    c->p += n;
    return 1;
}

static int equals(const char *text, size_t length, const char *literal)
{
    return strlen(literal) == length && !memcmp(text, literal, length);
}

/* A value that was given: its text and length. */
struct value
{
    const char *text;
    size_t length;
    int present;
};

/*
 * One attribute: whitespace (required), a name, optional whitespace, '=',
 * optional whitespace and a value in '"' or '\'' without '<'.  Returns 1 with
 * the name and value, 0 at the end of the tag ("/>" when empty_tag, else ">";
 * consumed), -1 on anything else.
 */
static int next_attribute(struct cursor *c, int empty_tag, const char **name, size_t *name_length,
                          struct value *value)
{
    const char *p;
    char quote;
    size_t space = skip_space(c);

    if (expect(c, empty_tag ? "/>" : ">")) return 0;
    if (!space) return -1;
    for (p = c->p; p < c->end && is_alnum(*p); p++)
        if ((size_t)(p - c->p) >= MAX_NAME_LENGTH) return -1;
    if (p == c->p) return -1;
    *name = c->p;
    *name_length = (size_t)(p - c->p);
    c->p = p;
    skip_space(c);
    if (!expect(c, "=")) return -1;
    skip_space(c);
    if (c->p == c->end || (*c->p != '"' && *c->p != '\'')) return -1;
    quote = *c->p++;
    for (p = c->p; p < c->end && *p != quote; p++)
        if (*p == '<') return -1;
    if (p == c->end) return -1;
    value->text = c->p;
    value->length = (size_t)(p - c->p);
    value->present = 1;
    c->p = p + 1;
    return 1;
}

/* Records the value of a known attribute; a second one is malformed. */
static int take(struct value *slot, const struct value *value)
{
    if (slot->present) return 0;
    *slot = *value;
    return 1;
}

/* An attribute a tag may have, and where its value goes. */
struct attribute
{
    const char *name;
    struct value *value;
};

/* The rest of a tag's attributes, each into its slot of known (count of
 * them): 1 at the end of the tag, 0 for an unknown or repeated name or
 * anything malformed. */
static int read_attributes(struct cursor *c, int empty_tag, const struct attribute *known, size_t count)
{
    const char *name;
    size_t name_length, i;
    struct value value;
    int ret;

    while ((ret = next_attribute(c, empty_tag, &name, &name_length, &value)) > 0)
    {
        for (i = 0; i < count; i++)
            if (equals(name, name_length, known[i].name)) break;
        if (i == count || !take(known[i].value, &value)) return 0;
    }
    return !ret;
}

/* Standard base64 with its padding, 4 to max characters. */
static int valid_base64(const char *text, size_t length, size_t max)
{
    size_t i, pad = 0;

    if (!length || length > max || length % 4) return 0;
    for (i = 0; i < length; i++)
    {
        char ch = text[i];

        if (ch == '=')
        {
            if (i < length - 2) return 0;
            pad++;
        }
        else if (pad || !(is_alnum(ch) || ch == '+' || ch == '/')) return 0;
    }
    return 1;
}

static int copy_token(char *out, size_t size, const struct value *value)
{
    if (!valid_base64(value->text, value->length, size - 1)) return 0;
    memcpy(out, value->text, value->length);
    out[value->length] = 0;
    return 1;
}

/* Decimal without sign or leading zero, at most max. */
static int parse_decimal(const char *text, size_t length, uint64_t max, uint64_t *out)
{
    uint64_t value = 0;
    size_t i;

    if (!length || length > 20 || (length > 1 && text[0] == '0')) return 0;
    for (i = 0; i < length; i++)
    {
        if (text[i] < '0' || text[i] > '9') return 0;
        if (value > (max - (uint64_t)(text[i] - '0')) / 10) return 0;
        value = value * 10 + (uint64_t)(text[i] - '0');
    }
    *out = value;
    return 1;
}

static int parse_port(const char *text, size_t length, uint16_t *port)
{
    uint64_t value;

    if (!parse_decimal(text, length, 65535, &value) || !value) return 0;
    *port = (uint16_t)value;
    return 1;
}

static int parse_flag(const struct value *value, uint8_t *out)
{
    if (equals(value->text, value->length, "0")) *out = 0;
    else if (equals(value->text, value->length, "1")) *out = 1;
    else return 0;
    return 1;
}

/* A computer or DNS name: letters, digits, '-', '_' and '.', not starting with '.' or '-'. */
static int valid_name(const char *text, size_t length)
{
    size_t i;

    if (!length || length > 253 || text[0] == '.' || text[0] == '-') return 0;
    for (i = 0; i < length; i++)
        if (!is_alnum(text[i]) && text[i] != '-' && text[i] != '_' && text[i] != '.') return 0;
    return 1;
}

/* An IPv4 address, a name, or (with_ipv6) an IPv6 address with an optional %zone. */
static int valid_host(const char *text, size_t length, int with_ipv6)
{
    uint8_t addr[16];
    const char *zone;

    if (!length || length >= RV_RAI_HOST_BUFFER_SIZE) return 0;
    if (!memchr(text, ':', length)) return rv_parse_ipv4(text, length, addr) || valid_name(text, length);
    if (!with_ipv6) return 0;
    if ((zone = memchr(text, '%', length)))
    {
        size_t n = length - (size_t)(zone - text) - 1, i;

        if (!n || n > MAX_ZONE_LENGTH) return 0;
        for (i = 0; i < n; i++)
            if (!is_alnum(zone[1 + i]) && zone[1 + i] != '-' && zone[1 + i] != '_' && zone[1 + i] != '.')
                return 0;
        length = (size_t)(zone - text);
    }
    return rv_parse_ipv6(text, length, addr);
}

static int add_address(struct rv_rai_address *addresses, uint32_t *count, const char *host,
                       size_t host_length, uint16_t port)
{
    if (*count >= RV_RAI_MAX_ADDRESSES) return 0;
    memcpy(addresses[*count].host, host, host_length);
    addresses[*count].host[host_length] = 0;
    addresses[*count].port = port;
    (*count)++;
    return 1;
}

/* Splits text at each separator; returns the field count, 0 if more than max. */
static size_t split(const char *text, size_t length, char separator, struct value *fields, size_t max)
{
    size_t n = 0, start = 0, i;

    for (i = 0; i <= length; i++)
    {
        if (i < length && text[i] != separator) continue;
        if (n == max) return 0;
        fields[n].text = text + start;
        fields[n].length = i - start;
        fields[n].present = 1;
        n++;
        start = i + 1;
    }
    return n;
}

rv_result rv_rai_parse_string1(const char *text, size_t length, struct rv_rai_string1 *out)
{
    struct value fields[8], pairs[RV_RAI_MAX_ADDRESSES];
    struct rv_rai_string1 result;
    size_t count, i;

    if (!text || !out || length > RV_RAI_MAX_STRING_LENGTH) return RV_E_PROTOCOL;
    memset(&result, 0, sizeof(result));
    if (split(text, length, ',', fields, 8) != 8) return RV_E_PROTOCOL;
    if (!equals(fields[0].text, fields[0].length, "65538") ||
        !equals(fields[1].text, fields[1].length, "1") ||
        !equals(fields[3].text, fields[3].length, "*") ||
        !equals(fields[5].text, fields[5].length, "*") ||
        !equals(fields[6].text, fields[6].length, "*"))
        return RV_E_PROTOCOL;
    if (!copy_token(result.session_id, sizeof(result.session_id), &fields[4]) ||
        !copy_token(result.params, sizeof(result.params), &fields[7]))
        return RV_E_PROTOCOL;
    if (!(count = split(fields[2].text, fields[2].length, ';', pairs, RV_RAI_MAX_ADDRESSES)))
        return RV_E_PROTOCOL;
    for (i = 0; i < count; i++)
    {
        const char *colon = memchr(pairs[i].text, ':', pairs[i].length);
        size_t host_length;
        uint16_t port;

        /* IPv4 or a computer name ([MS-RAI] 2.2.1): exactly one colon. */
        if (!colon) return RV_E_PROTOCOL;
        host_length = (size_t)(colon - pairs[i].text);
        if (!valid_host(pairs[i].text, host_length, 0) ||
            !parse_port(colon + 1, pairs[i].length - host_length - 1, &port) ||
            !add_address(result.addresses, &result.count, pairs[i].text, host_length, port))
            return RV_E_PROTOCOL;
    }
    *out = result;
    return RV_S_OK;
}

/* <L P="port" N="host"/>, after "<L". */
static int parse_location(struct cursor *c, struct rv_rai_string2 *result)
{
    struct value port = { 0 }, host = { 0 };
    const struct attribute known[] = { { "P", &port }, { "N", &host } };
    uint16_t number;

    return read_attributes(c, 1, known, ARRAY_SIZE(known)) && port.present && host.present &&
           parse_port(port.text, port.length, &number) &&
           valid_host(host.text, host.length, 1) &&
           add_address(result->addresses, &result->count, host.text, host.length, number);
}

/* <T ID="n" SID="n"> <L .../>... </T>, after "<T". */
static int parse_transport(struct cursor *c, struct rv_rai_string2 *result)
{
    struct value id = { 0 }, sid = { 0 };
    const struct attribute known[] = { { "ID", &id }, { "SID", &sid } };
    uint64_t number;
    uint32_t before = result->count;

    if (!read_attributes(c, 0, known, ARRAY_SIZE(known)) || !id.present || !sid.present ||
        !parse_decimal(id.text, id.length, UINT32_MAX, &number) ||
        !parse_decimal(sid.text, sid.length, UINT32_MAX, &number))
        return 0;
    for (;;)
    {
        skip_space(c);
        if (expect(c, "</T>")) break;
        if (!expect(c, "<L") || !parse_location(c, result)) return 0;
    }
    return result->count > before;
}

rv_result rv_rai_parse_string2(const char *text, size_t length, struct rv_rai_string2 *out)
{
    struct cursor c = { text, text + length };
    struct value kh = { 0 }, kh2 = { 0 }, id = { 0 }, ce = { 0 };
    /* CE: opaque to the helper; only its presence is checked. */
    const struct attribute known[] = { { "KH", &kh }, { "KH2", &kh2 }, { "ID", &id }, { "CE", &ce } };
    struct rv_rai_string2 result;

    if (!text || !out || length > RV_RAI_MAX_STRING_LENGTH) return RV_E_PROTOCOL;
    memset(&result, 0, sizeof(result));
    skip_space(&c);
    if (!expect(&c, "<E>")) return RV_E_PROTOCOL;
    skip_space(&c);
    if (!expect(&c, "<A")) return RV_E_PROTOCOL;
    if (!read_attributes(&c, 1, known, ARRAY_SIZE(known)) || !kh.present || !id.present || !copy_token(result.kh, sizeof(result.kh), &kh) ||
        !copy_token(result.id, sizeof(result.id), &id) ||
        (kh2.present && !copy_token(result.kh2, sizeof(result.kh2), &kh2)))
        return RV_E_PROTOCOL;
    skip_space(&c);
    if (!expect(&c, "<C>")) return RV_E_PROTOCOL;
    for (;;)
    {
        skip_space(&c);
        if (expect(&c, "</C>")) break;
        if (!expect(&c, "<T") || !parse_transport(&c, &result)) return RV_E_PROTOCOL;
    }
    skip_space(&c);
    if (!result.count || !expect(&c, "</E>")) return RV_E_PROTOCOL;
    skip_space(&c);
    if (c.p != c.end) return RV_E_PROTOCOL;
    *out = result;
    return RV_S_OK;
}

rv_result rv_rai_parse_string2_utf16(const uint8_t *bytes, size_t size, struct rv_rai_string2 *out)
{
    char text[RV_RAI_MAX_STRING_LENGTH];
    size_t count, i;

    if (!bytes || !out || size % 2 || size / 2 > RV_RAI_MAX_STRING_LENGTH) return RV_E_PROTOCOL;
    count = size / 2;
    /* Trailing NULs, then one optional CR LF. */
    while (count && !bytes[2 * count - 2] && !bytes[2 * count - 1]) count--;
    if (count >= 2 && !bytes[2 * count - 1] && bytes[2 * count - 2] == '\n' &&
        !bytes[2 * count - 3] && bytes[2 * count - 4] == '\r')
        count -= 2;
    for (i = 0; i < count; i++)
    {
        /* Connection string 2 is ASCII: printable characters and XML whitespace. */
        if (bytes[2 * i + 1] || (bytes[2 * i] < 0x20 && !is_space((char)bytes[2 * i])) ||
            bytes[2 * i] > 0x7e)
            return RV_E_PROTOCOL;
        text[i] = (char)bytes[2 * i];
    }
    return rv_rai_parse_string2(text, count, out);
}

/* Appends one code point as UTF-8; 0 when it does not fit. */
static int put_utf8(char *out, size_t size, size_t *pos, uint32_t cp)
{
    uint8_t b[4];
    size_t n;

    if (cp < 0x80) { b[0] = (uint8_t)cp; n = 1; }
    else if (cp < 0x800) { b[0] = (uint8_t)(0xc0 | cp >> 6); b[1] = (uint8_t)(0x80 | (cp & 0x3f)); n = 2; }
    else if (cp < 0x10000)
    {
        b[0] = (uint8_t)(0xe0 | cp >> 12); b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (cp & 0x3f)); n = 3;
    }
    else
    {
        b[0] = (uint8_t)(0xf0 | cp >> 18); b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); b[3] = (uint8_t)(0x80 | (cp & 0x3f)); n = 4;
    }
    if (size - *pos < n) return 0;
    memcpy(out + *pos, b, n);
    *pos += n;
    return 1;
}

/* A character the file may hold: XML's Char production without the C0 controls but whitespace. */
static int allowed_char(uint32_t cp)
{
    if (cp < 0x20) return cp == '\t' || cp == '\r' || cp == '\n';
    if (cp >= 0xd800 && cp < 0xe000) return 0;
    return cp != 0xfffe && cp != 0xffff && cp <= 0x10ffff;
}

/* UTF-16LE (after its BOM) to UTF-8; surrogates must pair. */
static int from_utf16(const uint8_t *bytes, size_t size, char *out, size_t out_size, size_t *length)
{
    size_t i, pos = 0;

    if (size % 2) return 0;
    for (i = 0; i < size; i += 2)
    {
        uint32_t cp = bytes[i] | (uint32_t)bytes[i + 1] << 8;

        if (cp >= 0xd800 && cp < 0xdc00)
        {
            uint32_t low;

            if (i + 4 > size) return 0;
            low = bytes[i + 2] | (uint32_t)bytes[i + 3] << 8;
            if (low < 0xdc00 || low >= 0xe000) return 0;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            i += 2;
        }
        if (!allowed_char(cp) || !put_utf8(out, out_size, &pos, cp)) return 0;
    }
    *length = pos;
    return 1;
}

/* Checks UTF-8 (shortest forms only) and copies it. */
static int from_utf8(const uint8_t *bytes, size_t size, char *out, size_t out_size, size_t *length)
{
    size_t i = 0;

    if (size > out_size) return 0;
    while (i < size)
    {
        uint32_t cp = bytes[i], min;
        size_t n, k;

        if (cp < 0x80) { n = 0; min = 0; }
        else if ((cp & 0xe0) == 0xc0) { n = 1; cp &= 0x1f; min = 0x80; }
        else if ((cp & 0xf0) == 0xe0) { n = 2; cp &= 0x0f; min = 0x800; }
        else if ((cp & 0xf8) == 0xf0) { n = 3; cp &= 0x07; min = 0x10000; }
        else return 0;
        if (size - i - 1 < n) return 0;
        for (k = 1; k <= n; k++)
        {
            if ((bytes[i + k] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (bytes[i + k] & 0x3f);
        }
        if (cp < min || !allowed_char(cp)) return 0;
        i += n + 1;
    }
    memcpy(out, bytes, size);
    *length = size;
    return 1;
}

/* USERNAME, with the five predefined entities decoded; no other '&', no control character. */
static int copy_name(char *out, size_t size, const struct value *value)
{
    static const struct { const char *name; char ch; } entities[] =
    {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
    };
    size_t i = 0, pos = 0, k;

    while (i < value->length)
    {
        char ch = value->text[i];

        if (ch == '&')
        {
            for (k = 0; k < ARRAY_SIZE(entities); k++)
            {
                size_t n = strlen(entities[k].name);

                if (value->length - i >= n && !memcmp(value->text + i, entities[k].name, n)) break;
            }
            if (k == ARRAY_SIZE(entities)) return 0;
            ch = entities[k].ch;
            i += strlen(entities[k].name);
        }
        else if ((unsigned char)ch < 0x20) return 0;
        else i++;
        if (pos + 1 >= size) return 0;
        out[pos++] = ch;
    }
    if (!pos) return 0;
    out[pos] = 0;
    return 1;
}

/* The PassStub: 1 to 64 printable ASCII characters but the quote, '&' and '<'. */
static int copy_passstub(char *out, size_t size, const struct value *value)
{
    size_t i;

    if (!value->length || value->length >= size) return 0;
    for (i = 0; i < value->length; i++)
    {
        char ch = value->text[i];

        if (ch <= 0x20 || ch > 0x7e || ch == '"' || ch == '&' || ch == '<' || ch == '\'') return 0;
    }
    memcpy(out, value->text, value->length);
    out[value->length] = 0;
    return 1;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

/* LHTICKET: hex of whole AES blocks. */
static int copy_lhticket(uint8_t *out, size_t *size, const struct value *value)
{
    size_t i, n = value->length / 2;

    if (value->length % 2 || !n || n % 16 || n > RV_RAI_MAX_LHTICKET) return 0;
    for (i = 0; i < n; i++)
    {
        int hi = hex_digit(value->text[2 * i]), lo = hex_digit(value->text[2 * i + 1]);

        if (hi < 0 || lo < 0) return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *size = n;
    return 1;
}

/* An optional <?xml ...?> declaration of printable ASCII. */
static int skip_declaration(struct cursor *c)
{
    const char *p;

    if (!expect(c, "<?xml")) return 1;
    if (c->p == c->end || !is_space(*c->p)) return 0;
    for (p = c->p; p + 1 < c->end && (p[0] != '?' || p[1] != '>'); p++)
    {
        if ((size_t)(p - c->p) > 256 || (!is_space(*p) && (*p < 0x20 || *p > 0x7e)) || *p == '<')
            return 0;
    }
    if (p + 1 >= c->end) return 0;
    c->p = p + 2;
    return 1;
}

struct file_values
{
    struct value username, rcticket, encrypted, passstub, start, length, low_speed, lhticket;
};

static rv_result parse_text(const char *text, size_t length, struct rv_rai_invitation *result)
{
    struct cursor c = { text, text + length };
    struct file_values v;
    const struct attribute known[] =
    {
        { "USERNAME", &v.username }, { "RCTICKET", &v.rcticket }, { "RCTICKETENCRYPTED", &v.encrypted },
        { "PassStub", &v.passstub }, { "DtStart", &v.start }, { "DtLength", &v.length },
        { "L", &v.low_speed }, { "LHTICKET", &v.lhticket },
    };
    struct value value;
    const char *name;
    size_t name_length;
    uint64_t number;

    memset(&v, 0, sizeof(v));
    if (!skip_declaration(&c)) return RV_E_PROTOCOL;
    skip_space(&c);
    if (!expect(&c, "<UPLOADINFO")) return RV_E_PROTOCOL;
    /* TYPE="Escalated", the only type [MS-RAI] names, and nothing else. */
    if (next_attribute(&c, 0, &name, &name_length, &value) != 1 || !equals(name, name_length, "TYPE") ||
        !equals(value.text, value.length, "Escalated") || next_attribute(&c, 0, &name, &name_length, &value))
        return RV_E_PROTOCOL;
    skip_space(&c);
    if (!expect(&c, "<UPLOADDATA")) return RV_E_PROTOCOL;
    if (!read_attributes(&c, 1, known, ARRAY_SIZE(known))) return RV_E_PROTOCOL;
    skip_space(&c);
    if (!expect(&c, "</UPLOADINFO>")) return RV_E_PROTOCOL;
    skip_space(&c);
    if (c.p != c.end) return RV_E_PROTOCOL;

    if (!v.username.present || !copy_name(result->username, sizeof(result->username), &v.username))
        return RV_E_PROTOCOL;
    if (!v.rcticket.present || rv_rai_parse_string1(v.rcticket.text, v.rcticket.length, &result->rcticket))
        return RV_E_PROTOCOL;
    if (v.encrypted.present && !parse_flag(&v.encrypted, &result->rcticket_encrypted)) return RV_E_PROTOCOL;
    if (v.low_speed.present && !parse_flag(&v.low_speed, &result->low_speed)) return RV_E_PROTOCOL;
    if (v.passstub.present && !copy_passstub(result->passstub, sizeof(result->passstub), &v.passstub))
        return RV_E_PROTOCOL;
    if (v.start.present != v.length.present) return RV_E_PROTOCOL;
    if (v.start.present)
    {
        /* Bounded well below INT64_MAX, so that DtStart + 60 * DtLength cannot overflow. */
        if (!parse_decimal(v.start.text, v.start.length, MAX_DT_START, &number)) return RV_E_PROTOCOL;
        result->dt_start = (int64_t)number;
        if (!parse_decimal(v.length.text, v.length.length, UINT32_MAX, &number)) return RV_E_PROTOCOL;
        result->dt_length = (uint32_t)number;
        result->has_expiry = 1;
    }
    if (v.lhticket.present && !copy_lhticket(result->lhticket, &result->lhticket_size, &v.lhticket))
        return RV_E_PROTOCOL;
    return RV_S_OK;
}

rv_result rv_rai_parse_file(const uint8_t *bytes, size_t size, struct rv_rai_invitation *out)
{
    char text[TEXT_BUFFER_SIZE];
    struct rv_rai_invitation result;
    size_t length;
    rv_result hr;

    if (!bytes || !out || size > RV_RAI_MAX_FILE_SIZE) return RV_E_PROTOCOL;
    if (size >= 2 && bytes[0] == 0xff && bytes[1] == 0xfe)
    {
        if (!from_utf16(bytes + 2, size - 2, text, sizeof(text), &length)) return RV_E_PROTOCOL;
    }
    else
    {
        if (size >= 3 && bytes[0] == 0xef && bytes[1] == 0xbb && bytes[2] == 0xbf)
        {
            bytes += 3;
            size -= 3;
        }
        if (!from_utf8(bytes, size, text, sizeof(text), &length)) return RV_E_PROTOCOL;
    }
    memset(&result, 0, sizeof(result));
    hr = parse_text(text, length, &result);
    memset(text, 0, length);
    if (hr == RV_S_OK) *out = result;
    return hr;
}

/*
 * Rendezvous core: invitation text and numeric address parsing
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

static const char hex_digits[] = "0123456789abcdef";

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hex_bytes(const char *text, size_t length, uint8_t *out, size_t count)
{
    size_t i;

    if (length != 2 * count) return 0;
    for (i = 0; i < count; i++)
    {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);

        if (hi < 0 || lo < 0) return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

/* Strict dotted quad: four decimal parts 0..255, no leading zeros, nothing else. */
int rv_parse_ipv4(const char *text, size_t length, uint8_t out[4])
{
    size_t i = 0;
    unsigned int part;

    for (part = 0; part < 4; part++)
    {
        unsigned int value = 0, digits = 0;

        if (part)
        {
            if (i >= length || text[i] != '.') return 0;
            i++;
        }
        while (i < length && text[i] >= '0' && text[i] <= '9')
        {
            if (digits && !value) return 0; /* leading zero */
            value = value * 10 + (unsigned int)(text[i] - '0');
            if (++digits > 3 || value > 255) return 0;
            i++;
        }
        if (!digits) return 0;
        out[part] = (uint8_t)value;
    }
    return i == length;
}

/* One to four hex digits. */
static int parse_hex_group(const char *text, size_t length, uint16_t *group)
{
    unsigned int value = 0;
    size_t i;

    if (length > 4) return 0;
    for (i = 0; i < length; i++)
    {
        int digit = hex_value(text[i]);

        if (digit < 0) return 0;
        value = value << 4 | (unsigned int)digit;
    }
    *group = (uint16_t)value;
    return 1;
}

/* The address of count groups, with zeros in place of the "::" before groups[gap]
 * (gap < 0: none). */
static int expand_groups(uint16_t groups[8], int count, int gap, uint8_t out[16])
{
    int i;

    if (gap < 0)
    {
        if (count != 8) return 0;
    }
    else
    {
        int fill;

        if (count > 7) return 0;
        fill = 8 - count;
        memmove(groups + gap + fill, groups + gap, (size_t)(count - gap) * sizeof(groups[0]));
        for (i = 0; i < fill; i++) groups[gap + i] = 0;
    }
    for (i = 0; i < 8; i++)
    {
        out[2 * i] = (uint8_t)(groups[i] >> 8);
        out[2 * i + 1] = (uint8_t)groups[i];
    }
    return 1;
}

/* RFC 4291 text form: hex groups, at most one "::", optional dotted IPv4 tail. */
int rv_parse_ipv6(const char *text, size_t length, uint8_t out[16])
{
    uint16_t groups[8];
    int count = 0, gap = -1;
    size_t pos = 0;

    if (length < 2 || length > 45) return 0;
    if (text[0] == ':')
    {
        if (text[1] != ':') return 0;
        gap = 0;
        pos = 2;
    }
    while (pos < length)
    {
        size_t end = pos, n;
        int dotted = 0;

        while (end < length && text[end] != ':')
        {
            if (text[end] == '.') dotted = 1;
            end++;
        }
        n = end - pos;
        if (!n) return 0;
        if (dotted)
        {
            uint8_t v4[4];

            if (end != length || count > 6 || !rv_parse_ipv4(text + pos, n, v4)) return 0;
            groups[count++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[count++] = (uint16_t)(v4[2] << 8 | v4[3]);
            pos = end;
            break;
        }
        if (count >= 8 || !parse_hex_group(text + pos, n, &groups[count])) return 0;
        count++;
        if (end == length)
        {
            pos = end;
            break;
        }
        /* text[end] == ':' */
        if (end + 1 < length && text[end + 1] == ':')
        {
            if (gap >= 0) return 0;
            gap = count;
            pos = end + 2;
        }
        else
        {
            pos = end + 1;
            if (pos == length) return 0; /* trailing single colon */
        }
    }
    return expand_groups(groups, count, gap, out);
}

static size_t format_decimal(unsigned int value, char *buffer)
{
    char tmp[10];
    size_t n = 0, i;

    do
    {
        tmp[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    for (i = 0; i < n; i++) buffer[i] = tmp[n - 1 - i];
    return n;
}

static size_t format_hex_group(unsigned int value, char *buffer)
{
    size_t n = 0;
    int shift, started = 0;

    for (shift = 12; shift >= 0; shift -= 4)
    {
        unsigned int nibble = (value >> shift) & 0xf;

        if (nibble || started || !shift)
        {
            buffer[n++] = hex_digits[nibble];
            started = 1;
        }
    }
    return n;
}

/* IPv4 dotted quad, or IPv6 per RFC 5952 (lower case, longest zero run as "::"). */
size_t rv_format_ip(uint8_t family, const uint8_t *addr, char *buffer)
{
    size_t n = 0;
    int i;

    if (family == 4)
    {
        for (i = 0; i < 4; i++)
        {
            if (i) buffer[n++] = '.';
            n += format_decimal(addr[i], buffer + n);
        }
    }
    else
    {
        int best = -1, best_len = 0, run = -1, run_len = 0;

        for (i = 0; i < 8; i++)
        {
            if (!addr[2 * i] && !addr[2 * i + 1])
            {
                if (run < 0) run = i;
                run_len++;
                if (run_len > best_len)
                {
                    best = run;
                    best_len = run_len;
                }
            }
            else
            {
                run = -1;
                run_len = 0;
            }
        }
        if (best_len < 2)
        {
            best = -1;
            best_len = 0;
        }
        for (i = 0; i < 8; i++)
        {
            if (i == best)
            {
                buffer[n++] = ':';
                buffer[n++] = ':';
                i += best_len - 1;
                continue;
            }
            if (i && i != best + best_len) buffer[n++] = ':';
            n += format_hex_group((unsigned int)(addr[2 * i] << 8 | addr[2 * i + 1]), buffer + n);
        }
    }
    buffer[n] = 0;
    return n;
}

rv_result rv_invitation_parse_bytes(const char *text, size_t length, struct rv_invitation *out)
{
    struct rv_invitation inv;
    size_t pos, end, i;
    unsigned int port = 0;

    if (!out) return RV_E_POINTER;
    memset(out, 0, sizeof(*out));
    if (!text) return RV_E_INVALIDARG;
    if (length > RV_INVITATION_MAX_LENGTH) return RV_E_INVALIDARG;
    for (i = 0; i < length; i++) if (!text[i]) return RV_E_INVALIDARG;
    if (length < 4 || memcmp(text, "rv1:", 4)) return RV_E_INVALIDARG;
    memset(&inv, 0, sizeof(inv));
    pos = 4;

    /* host */
    if (pos < length && text[pos] == '[')
    {
        end = pos + 1;
        while (end < length && text[end] != ']') end++;
        if (end >= length || !rv_parse_ipv6(text + pos + 1, end - pos - 1, inv.addr))
            return RV_E_INVALIDARG;
        inv.family = 6;
        end++;
    }
    else
    {
        end = pos;
        while (end < length && text[end] != ':') end++;
        if (!rv_parse_ipv4(text + pos, end - pos, inv.addr)) return RV_E_INVALIDARG;
        inv.family = 4;
    }
    if (end >= length || text[end] != ':') return RV_E_INVALIDARG;
    pos = end + 1;

    /* port */
    end = pos;
    while (end < length && text[end] >= '0' && text[end] <= '9')
    {
        if (end - pos >= 5) return RV_E_INVALIDARG;
        port = port * 10 + (unsigned int)(text[end] - '0');
        end++;
    }
    if (end == pos || text[pos] == '0' || port > 65535) return RV_E_INVALIDARG;
    if (end >= length || text[end] != ':') return RV_E_INVALIDARG;
    inv.port = (uint16_t)port;
    pos = end + 1;

    /* session id */
    if (length - pos < 2 * RV_SESSION_ID_SIZE + 1) return RV_E_INVALIDARG;
    if (!parse_hex_bytes(text + pos, 2 * RV_SESSION_ID_SIZE, inv.session_id, RV_SESSION_ID_SIZE))
        return RV_E_INVALIDARG;
    pos += 2 * RV_SESSION_ID_SIZE;
    if (text[pos] != ':') return RV_E_INVALIDARG;
    pos++;

    /* secret: exactly the rest */
    if (!parse_hex_bytes(text + pos, length - pos, inv.secret, RV_SECRET_SIZE))
    {
        rv_wipe(&inv, sizeof(inv));
        return RV_E_INVALIDARG;
    }
    *out = inv;
    rv_wipe(&inv, sizeof(inv));
    return RV_S_OK;
}

rv_result rv_invitation_parse(const char *text, struct rv_invitation *out)
{
    size_t length = 0;

    if (!out) return RV_E_POINTER;
    if (!text)
    {
        memset(out, 0, sizeof(*out));
        return RV_E_INVALIDARG;
    }
    /* Bounded scan: never read more than one character past the limit. */
    while (length <= RV_INVITATION_MAX_LENGTH && text[length]) length++;
    if (length > RV_INVITATION_MAX_LENGTH)
    {
        memset(out, 0, sizeof(*out));
        return RV_E_INVALIDARG;
    }
    return rv_invitation_parse_bytes(text, length, out);
}

static size_t format_hex_bytes(const uint8_t *bytes, size_t count, char *buffer)
{
    size_t i;

    for (i = 0; i < count; i++)
    {
        buffer[2 * i] = hex_digits[bytes[i] >> 4];
        buffer[2 * i + 1] = hex_digits[bytes[i] & 0xf];
    }
    return 2 * count;
}

rv_result rv_invitation_format(const struct rv_invitation *inv, char *buffer, size_t size)
{
    char text[RV_INVITATION_BUFFER_SIZE];
    size_t n = 0;

    if (!inv || !buffer) return RV_E_POINTER;
    if (size < RV_INVITATION_BUFFER_SIZE) return RV_E_INVALIDARG;
    if ((inv->family != 4 && inv->family != 6) || !inv->port) return RV_E_INVALIDARG;

    /* Longest form: 4 + 47 + 1 + 5 + 1 + 32 + 1 + 64 = 155 characters. */
    memcpy(text, "rv1:", 4);
    n = 4;
    if (inv->family == 6) text[n++] = '[';
    n += rv_format_ip(inv->family, inv->addr, text + n);
    if (inv->family == 6) text[n++] = ']';
    text[n++] = ':';
    n += format_decimal(inv->port, text + n);
    text[n++] = ':';
    n += format_hex_bytes(inv->session_id, RV_SESSION_ID_SIZE, text + n);
    text[n++] = ':';
    n += format_hex_bytes(inv->secret, RV_SECRET_SIZE, text + n);
    text[n] = 0;
    memcpy(buffer, text, n + 1);
    rv_wipe(text, sizeof(text));
    return RV_S_OK;
}

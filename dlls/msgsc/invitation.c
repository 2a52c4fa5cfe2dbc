/*
 * The text of a Messenger invitation, as the IM program carries it
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

/*
 * msgr1;{APPLICATION};NAME;URL;APPDATA;CORE
 *
 *   APPLICATION  the application's GUID, as put_Application takes it
 *   NAME, URL    its name and URL on the inviter's side, and the Invite
 *   APPDATA      application data: each the base64 (RFC 4648, with padding)
 *                of UTF-16LE, possibly empty, at most 256, 256 and 256 units
 *   CORE         the core's invitation, rv1:HOST:PORT:SESSIONID:SECRET
 *
 * At most MSGR_INVITATION_MAX_LENGTH characters.  The parser accepts only
 * this exact form and the canonical spelling of every field.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "msgsc_private.h"

static const char prefix[] = "msgr1;";
static const char base64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Characters base64 needs for count UTF-16 units. */
static UINT base64_length(UINT count)
{
    return (2 * count + 2) / 3 * 4;
}

static WCHAR *put_base64(WCHAR *out, const WCHAR *units, UINT count)
{
    UINT i, size = 2 * count;
    BYTE bytes[3];

    for (i = 0; i < size; i += 3)
    {
        UINT j, n = size - i < 3 ? size - i : 3;
        DWORD v;

        for (j = 0; j < 3; j++)
        {
            UINT k = i + j;
            bytes[j] = k < size ? (BYTE)(k & 1 ? units[k / 2] >> 8 : units[k / 2]) : 0;
        }
        v = (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
        *out++ = base64[(v >> 18) & 0x3f];
        *out++ = base64[(v >> 12) & 0x3f];
        *out++ = n > 1 ? base64[(v >> 6) & 0x3f] : '=';
        *out++ = n > 2 ? base64[v & 0x3f] : '=';
    }
    return out;
}

static int base64_value(WCHAR c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes text[0..length) into a new BSTR of at most max_units units. */
static HRESULT get_base64(const WCHAR *text, UINT length, UINT max_units, BSTR *out)
{
    UINT i, size = 0, pad = 0;
    BYTE *bytes;
    BSTR str;

    *out = NULL;
    if (length % 4) return E_INVALIDARG;
    if (length > base64_length(max_units)) return E_INVALIDARG;
    if (length && text[length - 1] == '=') pad = text[length - 2] == '=' ? 2 : 1;
    if ((length / 4 * 3 - pad) % 2) return E_INVALIDARG;
    if ((length / 4 * 3 - pad) / 2 > max_units) return E_INVALIDARG;
    if (!(str = SysAllocStringLen(NULL, (length / 4 * 3 - pad) / 2))) return E_OUTOFMEMORY;
    bytes = (BYTE *)str;

    for (i = 0; i < length; i += 4)
    {
        int v[4], j, last = i + 4 == length;
        DWORD bits;

        for (j = 0; j < 4; j++)
        {
            if (last && j >= 4 - (int)pad) v[j] = 0;
            else if ((v[j] = base64_value(text[i + j])) < 0) goto bad;
        }
        bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        /* Canonical only: the bits padding leaves over must be zero. */
        if (last && pad == 2 && (bits & 0xffff)) goto bad;
        if (last && pad == 1 && (bits & 0xff)) goto bad;
        bytes[size++] = (BYTE)(bits >> 16);
        if (!last || pad < 2) bytes[size++] = (BYTE)(bits >> 8);
        if (!last || pad < 1) bytes[size++] = (BYTE)bits;
    }
    /* In place: each unit's two bytes are read before it is written. */
    for (i = 0; i < size / 2; i++) str[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
    *out = str;
    return S_OK;

bad:
    SysFreeString(str);
    return E_INVALIDARG;
}

HRESULT msgr_invitation_format(const WCHAR *app, const WCHAR *name, UINT name_len, const WCHAR *url,
                               UINT url_len, const WCHAR *appdata, UINT appdata_len, const char *core,
                               BSTR *out)
{
    UINT i, core_len = strlen(core), len;
    WCHAR *p;
    BSTR text;

    *out = NULL;
    if (name_len > MSGR_MAX_APP_NAME || url_len > MSGR_MAX_APP_URL || appdata_len > MSGR_MAX_APPDATA_UNITS ||
        core_len > RV_INVITATION_MAX_LENGTH || lstrlenW(app) != MSGR_GUID_LENGTH)
        return E_INVALIDARG;
    len = strlen(prefix) + MSGR_GUID_LENGTH + 1 + base64_length(name_len) + 1 + base64_length(url_len) + 1 +
          base64_length(appdata_len) + 1 + core_len;
    if (!(text = SysAllocStringLen(NULL, len))) return E_OUTOFMEMORY;

    p = text;
    for (i = 0; prefix[i]; i++) *p++ = prefix[i];
    memcpy(p, app, MSGR_GUID_LENGTH * sizeof(WCHAR));
    p += MSGR_GUID_LENGTH;
    *p++ = ';';
    p = put_base64(p, name, name_len);
    *p++ = ';';
    p = put_base64(p, url, url_len);
    *p++ = ';';
    p = put_base64(p, appdata, appdata_len);
    *p++ = ';';
    for (i = 0; i < core_len; i++) *p++ = (unsigned char)core[i];
    *p = 0;
    *out = text;
    return S_OK;
}

void msgr_invitation_clear(struct msgr_invitation *inv)
{
    SysFreeString(inv->name);
    SysFreeString(inv->url);
    SysFreeString(inv->appdata);
    SecureZeroMemory(inv, sizeof(*inv));
}

/* The next field, up to the next ';'; returns its length or -1. */
static int next_field(const WCHAR *text, UINT length, UINT pos)
{
    UINT i;

    for (i = pos; i < length; i++)
        if (text[i] == ';') return i - pos;
    return -1;
}

HRESULT msgr_invitation_parse(const WCHAR *text, UINT length, struct msgr_invitation *out)
{
    struct rv_invitation core;
    static const UINT limits[3] = { MSGR_MAX_APP_NAME, MSGR_MAX_APP_URL, MSGR_MAX_APPDATA_UNITS };
    BSTR *fields[3];
    UINT i, pos;
    int n;
    HRESULT hr;

    memset(out, 0, sizeof(*out));
    fields[0] = &out->name;
    fields[1] = &out->url;
    fields[2] = &out->appdata;
    if (!text || length > MSGR_INVITATION_MAX_LENGTH) return E_INVALIDARG;
    for (i = 0; prefix[i]; i++)
        if (i >= length || text[i] != (unsigned char)prefix[i]) return E_INVALIDARG;
    pos = i;

    if ((n = next_field(text, length, pos)) != MSGR_GUID_LENGTH ||
        msgr_check_app_guid(text + pos, MSGR_GUID_LENGTH) != S_OK)
        return E_INVALIDARG;
    memcpy(out->app, text + pos, MSGR_GUID_LENGTH * sizeof(WCHAR));
    pos += n + 1;

    for (i = 0; i < ARRAY_SIZE(fields); i++)
    {
        if ((n = next_field(text, length, pos)) < 0)
        {
            hr = E_INVALIDARG;
            goto failed;
        }
        if (FAILED(hr = get_base64(text + pos, n, limits[i], fields[i]))) goto failed;
        pos += n + 1;
    }

    /* The rest is the core's invitation, printable ASCII. */
    n = length - pos;
    if (!n || n > RV_INVITATION_MAX_LENGTH)
    {
        hr = E_INVALIDARG;
        goto failed;
    }
    for (i = 0; i < (UINT)n; i++)
    {
        if (text[pos + i] <= ' ' || text[pos + i] >= 0x7f)
        {
            hr = E_INVALIDARG;
            goto failed;
        }
        out->core[i] = (char)text[pos + i];
    }
    out->core[n] = 0;
    if (rv_invitation_parse(out->core, &core))
    {
        hr = E_INVALIDARG;
        goto failed;
    }
    SecureZeroMemory(&core, sizeof(core));
    return S_OK;

failed:
    msgr_invitation_clear(out);
    return hr;
}

/*
 * The applications registered with the session manager
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

#include <windows.h>
#include <ole2.h>

#include "msgsc_private.h"

HRESULT msgr_check_app_guid(const WCHAR *guid, UINT length)
{
    UINT i;

    if (!guid || !length) return E_INVALIDARG;
    if (length > MSGR_MAX_GUID) return E_OUTOFMEMORY;
    if (length != MSGR_GUID_LENGTH || guid[0] != '{' || guid[37] != '}') return E_INVALIDARG;
    for (i = 1; i < 37; i++)
    {
        if (i == 9 || i == 14 || i == 19 || i == 24)
        {
            if (guid[i] != '-') return E_INVALIDARG;
        }
        else if (!((guid[i] >= '0' && guid[i] <= '9') || (guid[i] >= 'A' && guid[i] <= 'F')))
            return E_INVALIDARG;
    }
    return S_OK;
}

void msgr_app_key_name(const WCHAR *guid, WCHAR *name)
{
    lstrcpyW(name, MSGR_APPS_KEY L"\\");
    memcpy(name + lstrlenW(name), guid, MSGR_GUID_LENGTH * sizeof(WCHAR));
    name[ARRAY_SIZE(MSGR_APPS_KEY) + MSGR_GUID_LENGTH] = 0;
}

/* A value RegisterApplication wrote; "" when missing or not a string of at most max characters. */
static HRESULT read_string(HKEY key, const WCHAR *value, UINT max, BSTR *out)
{
    WCHAR buffer[MSGR_MAX_APP_PATH + 2];
    DWORD type, size = (max + 1) * sizeof(WCHAR);
    UINT len;

    if (RegQueryValueExW(key, value, NULL, &type, (BYTE *)buffer, &size) || type != REG_SZ) size = 0;
    len = size / sizeof(WCHAR);
    if (len && !buffer[len - 1]) len--;
    buffer[len] = 0;
    /* Up to the first NUL, as RegisterApplication allows none. */
    return (*out = SysAllocString(buffer)) ? S_OK : E_OUTOFMEMORY;
}

HRESULT msgr_lookup_app(const WCHAR *guid, BSTR *name, BSTR *url, BSTR *path)
{
    WCHAR key_name[ARRAY_SIZE(MSGR_APPS_KEY) + MSGR_GUID_LENGTH + 1];
    HRESULT hr = S_OK;
    HKEY key;

    if (name) *name = NULL;
    if (url) *url = NULL;
    if (path) *path = NULL;
    if (msgr_check_app_guid(guid, lstrlenW(guid)) != S_OK) return S_FALSE;
    msgr_app_key_name(guid, key_name);
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key_name, 0, KEY_READ, &key)) return S_FALSE;
    if (name) hr = read_string(key, L"Name", MSGR_MAX_APP_NAME, name);
    if (SUCCEEDED(hr) && url) hr = read_string(key, L"URL", MSGR_MAX_APP_URL, url);
    if (SUCCEEDED(hr) && path) hr = read_string(key, L"Path", MSGR_MAX_APP_PATH, path);
    RegCloseKey(key);
    if (FAILED(hr))
    {
        if (name) SysFreeString(*name);
        if (url) SysFreeString(*url);
        if (path) SysFreeString(*path);
        if (name) *name = NULL;
        if (url) *url = NULL;
        if (path) *path = NULL;
    }
    return hr;
}

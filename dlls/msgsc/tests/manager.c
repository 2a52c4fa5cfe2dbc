/*
 * Conformance tests for MsgrSessionManager: sessions, registered
 * applications, the lock, and the manager's events
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
 * Not a crosstest unit: it tests this project's own classes or choices
 * (docs/behaviour.md) beside documented facts, so it is built into
 * msgsc_test.exe only.  What Windows documents is tested alone in api.c
 * and typelib.c, which 'make crosstest' also builds for Windows.
 */

/*
 * Documented (MSDocs-win32 desktop-src/winmessenger): RegisterApplication's
 * limits (GUID 39, name and URL 256, path 260 characters, flags 0) and codes
 * (E_INVALIDARG, SR_APP_ALREADY_REGISTERED, REGDB_E_WRITEREGDB, E_FAIL for a
 * path that cannot be resolved), UnRegisterApplication's (E_INVALIDARG,
 * SR_APP_NOT_REGISTERED), the key HKLM\Software\Microsoft\MessengerService\
 * SessionManager\Apps, CreateSession's and GetLaunchingSession's codes, and
 * the lock's.  The value names under the key, and everything marked so in a
 * comment, are this project's choices (docs/behaviour.md, "Messenger").
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "msgrpriv.h"
#include "winemsgr.h"

#include "wine/test.h"
#include "../../rendezvoussession/tests/unload.h"
#include "msgsc_test.h"

static const WCHAR app1[] = L"{0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4A51}";
static const WCHAR app2[] = L"{0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4A52}";
static const WCHAR app_path[] = L"C:\\Program Files\\Example\\example.exe";

static void test_create(void)
{
    IMsgrSessionManagerHost *host;
    IConnectionPointContainer *container;
    IConnectionPoint *point;
    IMsgrSessionManager *manager;
    IMsgrSession *session;
    IDispatch *disp;
    IUnknown *unk;
    CLSID clsid;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_MsgrSessionManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = IUnknown_QueryInterface(unk, &IID_IMsgrSessionManager, (void **)&manager);
    ok(hr == S_OK, "IMsgrSessionManager: %#lx\n", hr);
    hr = IUnknown_QueryInterface(unk, &IID_IDispatch, (void **)&disp);
    ok(hr == S_OK, "IDispatch: got %#lx\n", hr);
    ok(disp == (IDispatch *)manager, "IDispatch: got %p\n", disp);
    if (hr == S_OK) IDispatch_Release(disp);
    hr = IUnknown_QueryInterface(unk, &IID_IMsgrSessionManagerHost, (void **)&host);
    ok(hr == S_OK, "IMsgrSessionManagerHost: %#lx\n", hr);
    if (hr == S_OK) IMsgrSessionManagerHost_Release(host);
    hr = IUnknown_QueryInterface(unk, &IID_IMsgrSession, (void **)&session);
    ok(hr == E_NOINTERFACE, "IMsgrSession: %#lx\n", hr);
    IUnknown_Release(unk);

    hr = IMsgrSessionManager_QueryInterface(manager, &IID_IConnectionPointContainer, (void **)&container);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IConnectionPointContainer_FindConnectionPoint(container, &DIID_DMsgrSessionManagerEvents, &point);
    ok(hr == S_OK, "FindConnectionPoint returned %#lx\n", hr);
    if (hr == S_OK) IConnectionPoint_Release(point);
    point = (IConnectionPoint *)0xdeadbeef;
    hr = IConnectionPointContainer_FindConnectionPoint(container, &DIID_DMsgrSessionEvents, &point);
    ok(hr == CONNECT_E_NOCONNECTION, "got %#lx\n", hr);
    ok(!point, "got %p\n", point);
    IConnectionPointContainer_Release(container);

    /* CreateSession: documented E_INVALIDARG. */
    hr = IMsgrSessionManager_CreateSession(manager, NULL);
    ok(hr == E_INVALIDARG, "CreateSession(NULL): %#lx\n", hr);
    hr = IMsgrSessionManager_CreateSession(manager, &disp);
    ok(hr == S_OK, "CreateSession: %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&session);
        ok(hr == S_OK, "IMsgrSession: %#lx\n", hr);
        if (hr == S_OK)
        {
            ok(get_state(session) == SS_READY, "state %ld\n", get_state(session));
            IMsgrSession_Release(session);
        }
        ok(!IDispatch_Release(disp), "session still referenced\n");
    }

    /* MsgrSession is creatable on its own too. */
    hr = CoCreateInstance(&CLSID_MsgrSession, NULL, CLSCTX_INPROC_SERVER, &IID_IMsgrSession, (void **)&session);
    ok(hr == S_OK, "CoCreateInstance(MsgrSession) returned %#lx\n", hr);
    if (hr == S_OK) ok(!IMsgrSession_Release(session), "session still referenced\n");
    /* MessengerPriv is declared, not served. */
    hr = CoCreateInstance(&CLSID_MessengerPrivate, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
    ok(hr == REGDB_E_CLASSNOTREG, "MessengerPriv: %#lx\n", hr);

    /* Undocumented choice: ProgIDs of the project's own. */
    hr = CLSIDFromProgID(L"WineMessenger.SessionManager", &clsid);
    ok(hr == S_OK, "ProgID: got %#lx\n", hr);
    ok(IsEqualGUID(&clsid, &CLSID_MsgrSessionManager), "ProgID: got %s\n", wine_dbgstr_guid(&clsid));
    hr = CLSIDFromProgID(L"WineMessenger.Session", &clsid);
    ok(hr == S_OK, "ProgID: got %#lx\n", hr);
    ok(IsEqualGUID(&clsid, &CLSID_MsgrSession), "ProgID: got %s\n", wine_dbgstr_guid(&clsid));

    /* GetLaunchingSession: documented E_INVALIDARG and E_FAIL. */
    hr = IMsgrSessionManager_GetLaunchingSession(manager, GetCurrentProcessId(), NULL);
    ok(hr == E_INVALIDARG, "NULL: %#lx\n", hr);
    disp = (IDispatch *)0xdeadbeef;
    hr = IMsgrSessionManager_GetLaunchingSession(manager, 0, &disp);
    ok(hr == E_INVALIDARG, "process 0: got %#lx\n", hr);
    ok(!disp, "process 0: got %p\n", disp);
    hr = IMsgrSessionManager_GetLaunchingSession(manager, -5, &disp);
    ok(hr == E_INVALIDARG, "process -5: %#lx\n", hr);
    hr = IMsgrSessionManager_GetLaunchingSession(manager, GetCurrentProcessId(), &disp);
    ok(hr == E_FAIL, "not launched: got %#lx\n", hr);
    ok(!disp, "not launched: got %p\n", disp);

    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
}

static void test_lock(void)
{
    IMsgrSessionManager *manager = create_manager();
    LockStatus status = 0;
    IMsgrLock *lock;
    BSTR a, b;
    HRESULT hr;

    if (!manager) return;
    hr = IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrLock, (void **)&lock);
    ok(hr == S_OK, "IMsgrLock: %#lx\n", hr);
    if (FAILED(hr))
    {
        IMsgrSessionManager_Release(manager);
        return;
    }
    /* Documented E_POINTER; the lock is the .NET Messenger Service's, disabled here. */
    ok(IMsgrLock_get_Status(lock, NULL) == E_POINTER, "get_Status(NULL)\n");
    hr = IMsgrLock_get_Status(lock, &status);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(status == LOCK_DISABLED, "got %d\n", status);
    hr = IMsgrLock_RequestChallenge(lock, 1234);
    ok(hr == MSGR_E_API_DISABLED, "RequestChallenge: %#lx\n", hr);
    a = SysAllocString(L"app");
    b = SysAllocString(L"response");
    hr = IMsgrLock_SendResponse(lock, a, b, 1234);
    ok(hr == MSGR_E_API_DISABLED, "SendResponse: %#lx\n", hr);
    SysFreeString(a);
    SysFreeString(b);
    IMsgrLock_Release(lock);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
}

static BOOL read_value(const WCHAR *guid, const WCHAR *name, WCHAR *buffer, DWORD size)
{
    WCHAR path[MAX_PATH];
    DWORD type, bytes = size * sizeof(WCHAR);
    HKEY key;
    LONG ret;

    swprintf(path, ARRAY_SIZE(path), L"%ls\\%ls", APPS_KEY, guid);
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key)) return FALSE;
    ret = RegQueryValueExW(key, name, NULL, &type, (BYTE *)buffer, &bytes);
    RegCloseKey(key);
    return !ret && type == REG_SZ;
}

static BOOL app_key_exists(const WCHAR *guid)
{
    WCHAR path[MAX_PATH];
    HKEY key;

    swprintf(path, ARRAY_SIZE(path), L"%ls\\%ls", APPS_KEY, guid);
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key)) return FALSE;
    RegCloseKey(key);
    return TRUE;
}

static HRESULT register_raw(IMsgrSessionManager *manager, BSTR guid, BSTR name, BSTR url, BSTR path, LONG flags)
{
    return IMsgrSessionManager_RegisterApplication(manager, guid, name, url, path, flags);
}

static void test_register(void)
{
    BOOL ret;
    static const struct
    {
        const WCHAR *guid;
        HRESULT hr;
    }
    guids[] =
    {
        { L"{0f3e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a51}", E_INVALIDARG },      /* lower case */
        { L"0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4A51", E_INVALIDARG },        /* no braces */
        { L"{0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4A5}", E_INVALIDARG },       /* short */
        { L"{0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4A51}x", E_INVALIDARG },     /* 39 characters */
        { L"{0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4A51}xx", E_INVALIDARG },    /* 40 characters */
        { L"{0F3E6A1C+2B4D-4E5F-8A9B-0C1D2E3F4A51}", E_INVALIDARG },      /* separator */
        { L"{0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4AG1}", E_INVALIDARG },      /* not hex */
        { L"", E_INVALIDARG },
    };
    struct sink events;
    IConnectionPoint *point;
    IMsgrSessionManager *manager = create_manager();
    WCHAR value[MAX_PATH + 8];
    BSTR guid, name, url, path, str;
    struct record *r;
    unsigned int i;
    DWORD cookie;
    HRESULT hr;

    if (!manager) return;
    delete_app_key(app1);
    delete_app_key(app2);
    init_sink(&events, &DIID_DMsgrSessionManagerEvents);
    cookie = advise_sink((IUnknown *)manager, &DIID_DMsgrSessionManagerEvents, &events, &point);

    guid = SysAllocString(app1);
    name = SysAllocString(L"Example");
    url = SysAllocString(L"http://example.org/");
    path = SysAllocString(app_path);

    /* Flags: documented "should always be 0, otherwise E_INVALIDARG". */
    ok(register_raw(manager, guid, name, url, path, 1) == E_INVALIDARG, "flags 1\n");
    ok(register_raw(manager, guid, name, url, path, -1) == E_INVALIDARG, "flags -1\n");
    /* The GUID's form: documented as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}, upper case, 39 at most. */
    ok(register_raw(manager, NULL, name, url, path, 0) == E_INVALIDARG, "NULL GUID\n");
    for (i = 0; i < ARRAY_SIZE(guids); i++)
    {
        str = SysAllocString(guids[i].guid);
        hr = register_raw(manager, str, name, url, path, 0);
        ok(hr == guids[i].hr, "GUID %s: %#lx\n", wine_dbgstr_w(guids[i].guid), hr);
        SysFreeString(str);
    }
    /* Name: 256 at most (undocumented choice: required). */
    ok(register_raw(manager, guid, NULL, url, path, 0) == E_INVALIDARG, "NULL name\n");
    str = bstr_fill('n', 257);
    ok(register_raw(manager, guid, str, url, path, 0) == E_INVALIDARG, "257 name\n");
    SysFreeString(str);
    str = bstr_len(L"a\0b", 3);
    ok(register_raw(manager, guid, str, url, path, 0) == E_INVALIDARG, "name with a NUL\n");
    SysFreeString(str);
    /* URL: 256 at most. */
    str = bstr_fill('u', 257);
    ok(register_raw(manager, guid, name, str, path, 0) == E_INVALIDARG, "257 URL\n");
    SysFreeString(str);
    /* Path: 260 at most, absolute (documented E_FAIL when it cannot be resolved). */
    ok(register_raw(manager, guid, name, url, NULL, 0) == E_INVALIDARG, "NULL path\n");
    str = bstr_fill('p', 261);
    str[0] = 'C';
    str[1] = ':';
    str[2] = '\\';
    ok(register_raw(manager, guid, name, url, str, 0) == E_INVALIDARG, "261 path\n");
    SysFreeString(str);
    str = SysAllocString(L"example.exe");
    ok(register_raw(manager, guid, name, url, str, 0) == E_FAIL, "relative path\n");
    SysFreeString(str);
    str = SysAllocString(L"\\example.exe");
    ok(register_raw(manager, guid, name, url, str, 0) == E_FAIL, "rooted path\n");
    SysFreeString(str);
    ok(!app_key_exists(app1), "a failed call wrote the key\n");
    ok(!events.count, "events for failed calls\n");

    /* Success: the key and its values (undocumented choice: Name, URL, Path). */
    hr = register_raw(manager, guid, name, url, path, 0);
    ok(hr == S_OK, "RegisterApplication: %#lx\n", hr);
    ret = read_value(app1, L"Name", value, ARRAY_SIZE(value));
    ok(ret, "Name %s\n", wine_dbgstr_w(value));
    if (ret) ok(!lstrcmpW(value, L"Example"), "got %s\n", wine_dbgstr_w(value));
    ret = read_value(app1, L"URL", value, ARRAY_SIZE(value));
    ok(ret, "URL\n");
    if (ret) ok(!lstrcmpW(value, L"http://example.org/"), "got %s\n", wine_dbgstr_w(value));
    ret = read_value(app1, L"Path", value, ARRAY_SIZE(value));
    ok(ret, "Path\n");
    if (ret) ok(!lstrcmpW(value, app_path), "got %s\n", wine_dbgstr_w(value));
    r = find_event(&events, DISPID_ONAPPREGISTERED, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->args == 1, "OnAppRegistered %s\n", r ? wine_dbgstr_w(r->data) : "none");
    if (r) ok(r->vt[0] == VT_BSTR, "OnAppRegistered %s\n", r ? wine_dbgstr_w(r->data) : "none");
    if (r) ok(r->data != NULL, "OnAppRegistered %s\n", r ? wine_dbgstr_w(r->data) : "none");
    if (r && r->data) ok(!lstrcmpW(r->data, app1), "got %s\n", wine_dbgstr_w(r->data));
    /* Documented: registered again, even with other values, is SR_APP_ALREADY_REGISTERED. */
    hr = register_raw(manager, guid, name, url, path, 0);
    ok(hr == SR_APP_ALREADY_REGISTERED, "again: %#lx\n", hr);
    str = SysAllocString(L"Other name");
    hr = register_raw(manager, guid, str, url, path, 0);
    ok(hr == SR_APP_ALREADY_REGISTERED, "another name: %#lx\n", hr);
    SysFreeString(str);
    ret = read_value(app1, L"Name", value, ARRAY_SIZE(value));
    ok(ret, "Name changed\n");
    if (ret) ok(!lstrcmpW(value, L"Example"), "got %s\n", wine_dbgstr_w(value));
    ok(count_events(&events, DISPID_ONAPPREGISTERED) == 1, "more OnAppRegistered\n");

    /* The longest of everything, an empty URL, a quoted path with arguments, a UNC path. */
    {
        BSTR long_name = bstr_fill('N', 256), long_url = bstr_fill('U', 256), long_path = bstr_fill('P', 260);
        BSTR empty = SysAllocString(L""), quoted = SysAllocString(L"\"C:\\Program Files\\x.exe\" /s");
        BSTR unc = SysAllocString(L"\\\\server\\share\\x.exe"), guid2 = SysAllocString(app2);

        long_path[0] = 'D';
        long_path[1] = ':';
        long_path[2] = '\\';
        hr = register_raw(manager, guid2, long_name, long_url, long_path, 0);
        ok(hr == S_OK, "longest values: %#lx\n", hr);
        ok(unregister_app(manager, app2) == S_OK, "UnRegisterApplication failed\n");
        hr = register_raw(manager, guid2, name, empty, quoted, 0);
        ok(hr == S_OK, "quoted path: %#lx\n", hr);
        ok(unregister_app(manager, app2) == S_OK, "UnRegisterApplication failed\n");
        hr = register_raw(manager, guid2, name, NULL, unc, 0);
        ok(hr == S_OK, "UNC path: %#lx\n", hr);
        ret = read_value(app2, L"URL", value, ARRAY_SIZE(value));
        ok(ret, "URL not empty\n");
        if (ret) ok(!value[0], "got %#x\n", value[0]);
        SysFreeString(long_name);
        SysFreeString(long_url);
        SysFreeString(long_path);
        SysFreeString(empty);
        SysFreeString(quoted);
        SysFreeString(unc);
        SysFreeString(guid2);
    }

    /* UnRegisterApplication: documented E_INVALIDARG and SR_APP_NOT_REGISTERED. */
    clear_sink(&events);
    ok(IMsgrSessionManager_UnRegisterApplication(manager, NULL) == E_INVALIDARG, "NULL\n");
    str = SysAllocString(L"{0f3e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a51}");
    ok(IMsgrSessionManager_UnRegisterApplication(manager, str) == E_INVALIDARG, "lower case\n");
    SysFreeString(str);
    hr = unregister_app(manager, L"{0F3E6A1C-2B4D-4E5F-8A9B-0C1D2E3F4A59}");
    ok(hr == SR_APP_NOT_REGISTERED, "not registered: %#lx\n", hr);
    ok(!events.count, "events for failed calls\n");
    hr = unregister_app(manager, app1);
    ok(hr == S_OK, "UnRegisterApplication: %#lx\n", hr);
    ok(!app_key_exists(app1), "the key is still there\n");
    /* Exactly that key: the other application stays. */
    ok(app_key_exists(app2), "the other application went too\n");
    r = find_event(&events, DISPID_ONAPPUNREGISTERED, 0);
    ok(r != NULL, "got %p\n", r);
    if (r) ok(r->data != NULL, "OnAppUnRegistered %s\n", r ? wine_dbgstr_w(r->data) : "none");
    if (r && r->data) ok(!lstrcmpW(r->data, app1), "got %s\n", wine_dbgstr_w(r->data));
    hr = unregister_app(manager, app1);
    ok(hr == SR_APP_NOT_REGISTERED, "twice: %#lx\n", hr);
    /* Registered again, after UnRegisterApplication. */
    ok(register_raw(manager, guid, name, url, path, 0) == S_OK, "again after unregistering\n");

    /* Applications: undocumented choice, a snapshot collection of the GUIDs (Count, Item). */
    {
        DISPID count_id, item_id;
        WCHAR *names[1];
        DISPPARAMS params = { NULL, NULL, 0, 0 };
        VARIANT result, index;
        IDispatch *apps;
        BOOL found[2] = { FALSE, FALSE };
        LONG n, k;

        ok(IMsgrSessionManager_get_Applications(manager, NULL) == E_INVALIDARG, "get_Applications(NULL)\n");
        hr = IMsgrSessionManager_get_Applications(manager, &apps);
        ok(hr == S_OK, "get_Applications: %#lx\n", hr);
        if (hr == S_OK)
        {
            names[0] = (WCHAR *)L"Count";
            ok(IDispatch_GetIDsOfNames(apps, &IID_NULL, names, 1, 0, &count_id) == S_OK, "no Count\n");
            names[0] = (WCHAR *)L"Item";
            hr = IDispatch_GetIDsOfNames(apps, &IID_NULL, names, 1, 0, &item_id);
            ok(hr == S_OK, "got %#lx\n", hr);
            ok(item_id == DISPID_VALUE, "no Item\n");
            names[0] = (WCHAR *)L"Nothing";
            ok(IDispatch_GetIDsOfNames(apps, &IID_NULL, names, 1, 0, &k) == DISP_E_UNKNOWNNAME, "Nothing\n");
            VariantInit(&result);
            hr = IDispatch_Invoke(apps, count_id, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result, NULL, NULL);
            ok(hr == S_OK, "Count: got %#lx\n", hr);
            ok(V_VT(&result) == VT_I4, "Count: got %d\n", V_VT(&result));
            ok(V_I4(&result) >= 2, "Count: got %ld\n", V_I4(&result));
            n = V_I4(&result);
            params.rgvarg = &index;
            params.cArgs = 1;
            V_VT(&index) = VT_I4;
            for (k = 0; k < n; k++)
            {
                V_I4(&index) = k;
                hr = IDispatch_Invoke(apps, DISPID_VALUE, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result,
                                      NULL, NULL);
                ok(hr == S_OK, "got %#lx\n", hr);
                ok(V_VT(&result) == VT_BSTR, "got %d\n", V_VT(&result));
                if (hr != S_OK) continue;
                if (!lstrcmpW(V_BSTR(&result), app1)) found[0] = TRUE;
                if (!lstrcmpW(V_BSTR(&result), app2)) found[1] = TRUE;
                VariantClear(&result);
            }
            ok(found[0], "got %d\n", found[0]);
            if (found[0]) ok(found[1], "got %d\n", found[1]);
            V_I4(&index) = n;
            hr = IDispatch_Invoke(apps, DISPID_VALUE, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result, NULL, NULL);
            ok(hr == DISP_E_BADINDEX, "Item(Count): %#lx\n", hr);
            ok(!IDispatch_Release(apps), "collection still referenced\n");
        }
    }

    unregister_app(manager, app1);
    unregister_app(manager, app2);
    SysFreeString(guid);
    SysFreeString(name);
    SysFreeString(url);
    SysFreeString(path);
    unadvise_sink(point, cookie);
    clear_sink(&events);
    ok(events.refcount == 1, "sink still has %ld references\n", events.refcount);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
}

/* The dual interface through IDispatch, as a script would use it. */
static void test_dispatch(void)
{
    static const struct { const WCHAR *name; DISPID id; } members[] =
    {
        { L"CreateSession", 0 }, { L"GetLaunchingSession", 1 }, { L"RegisterApplication", 2 },
        { L"UnRegisterApplication", 3 }, { L"Applications", 4 },
    };
    static const WCHAR *host_members[] = { L"ReceiveInvitation", L"CreateRendezvousSession" };
    IMsgrSessionManagerHost *host;
    IMsgrSessionManager *manager = create_manager();
    DISPPARAMS params = { NULL, NULL, 0, 0 };
    VARIANT args[5], result;
    IDispatch *disp;
    unsigned int i;
    DISPID id;
    HRESULT hr;

    if (!manager) return;
    IMsgrSessionManager_QueryInterface(manager, &IID_IDispatch, (void **)&disp);
    for (i = 0; i < ARRAY_SIZE(members); i++)
    {
        WCHAR *name = (WCHAR *)members[i].name;
        hr = IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, 0, &id);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(id == members[i].id, "got %ld\n", id);
    }

    /* CreateSession by DISPID returns a session as VT_DISPATCH. */
    VariantInit(&result);
    hr = IDispatch_Invoke(disp, 0, &IID_NULL, 0, DISPATCH_METHOD, &params, &result, NULL, NULL);
    ok(hr == S_OK, "CreateSession: got %#lx\n", hr);
    ok(V_VT(&result) == VT_DISPATCH, "CreateSession: got %d\n", V_VT(&result));
    ok(V_DISPATCH(&result) != NULL, "CreateSession: got %p\n", V_DISPATCH(&result));
    VariantClear(&result);

    /* RegisterApplication and UnRegisterApplication, arguments in reverse. */
    delete_app_key(app1);
    V_VT(&args[4]) = VT_BSTR;
    V_BSTR(&args[4]) = SysAllocString(app1);
    V_VT(&args[3]) = VT_BSTR;
    V_BSTR(&args[3]) = SysAllocString(L"Scripted");
    V_VT(&args[2]) = VT_BSTR;
    V_BSTR(&args[2]) = SysAllocString(L"");
    V_VT(&args[1]) = VT_BSTR;
    V_BSTR(&args[1]) = SysAllocString(app_path);
    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = 0;
    params.rgvarg = args;
    params.cArgs = 5;
    hr = IDispatch_Invoke(disp, 2, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
    ok(hr == S_OK, "Invoke(RegisterApplication): %#lx\n", hr);
    ok(app_key_exists(app1), "not registered\n");
    params.rgvarg = &args[4];
    params.cArgs = 1;
    hr = IDispatch_Invoke(disp, 3, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
    ok(hr == S_OK, "Invoke(UnRegisterApplication): %#lx\n", hr);
    ok(!app_key_exists(app1), "still registered\n");
    for (i = 0; i < ARRAY_SIZE(args); i++) VariantClear(&args[i]);
    IDispatch_Release(disp);

    hr = IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrSessionManagerHost, (void **)&host);
    ok(hr == S_OK, "got %#lx\n", hr);
    for (i = 0; i < ARRAY_SIZE(host_members); i++)
    {
        WCHAR *name = (WCHAR *)host_members[i];
        hr = IMsgrSessionManagerHost_GetIDsOfNames(host, &IID_NULL, &name, 1, 0, &id);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(id == (DISPID)(i + 1), "got %ld\n", id);
    }
    IMsgrSessionManagerHost_Release(host);
    ok(!IMsgrSessionManager_Release(manager), "manager still referenced\n");
}

START_TEST(manager)
{
    CoInitialize(NULL);
    test_create();
    test_lock();
    test_register();
    test_dispatch();
    check_unload("msgsc.dll");
    CoUninitialize();
}

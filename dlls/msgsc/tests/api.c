/*
 * Conformance tests for the documented Messenger session classes
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
 * Documented behaviour only (spec/API.md, part B): this unit and typelib.c
 * form msgsc_crosstest.exe ('make crosstest'), which links nothing of this
 * project and runs on Windows against the classes Windows registers (Msgsc.dll
 * shipped with Windows XP and 2003 only: elsewhere win_skip says the class is
 * missing; under Wine that is a failure, since the project registers it).
 * Only codes the documentation ties to a condition are checked here; the
 * project's own choices (docs/behaviour.md) are tested by the other units.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

/* Every GUID of the test program is defined here, once: with Wine's headers
 * they are not selectany as with mingw's, and the system headers come first
 * so that only the project's GUIDs are defined (the rest is in libuuid). */
#include <ocidl.h>
#include <initguid.h>
#include "msgrpriv.h"
#include "winemsgr.h"
#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"

static const WCHAR *const app_guid = L"{0B2C9A7E-61D4-4F3B-8C2E-5A9D7E1F4C30}";

static BSTR bstr_fill(WCHAR c, UINT len)
{
    BSTR str = SysAllocStringLen(NULL, len);
    UINT i;

    for (i = 0; i < len; i++) str[i] = c;
    return str;
}

static IMsgrSessionManager *create_manager(void)
{
    IMsgrSessionManager *manager = NULL;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_MsgrSessionManager, NULL, CLSCTX_INPROC_SERVER | CLSCTX_LOCAL_SERVER,
                          &IID_IMsgrSessionManager, (void **)&manager);
    if (hr == REGDB_E_CLASSNOTREG)
    {
        win_skip("MsgrSessionManager is not registered\n");
        return NULL;
    }
    ok(hr == S_OK, "got %#lx\n", hr);
    return manager;
}

/* RegisterApplication: ulFlags must be 0, else E_INVALIDARG. */
static void test_register_flags(IMsgrSessionManager *manager)
{
    BSTR guid, name, url, path;
    HRESULT hr;

    guid = SysAllocString(app_guid);
    name = SysAllocString(L"Crosstest");
    url = SysAllocString(L"http://example.org/crosstest");
    path = SysAllocString(L"C:\\windows\\system32\\notepad.exe");
    hr = IMsgrSessionManager_RegisterApplication(manager, guid, name, url, path, 1);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    /* Nothing was registered: unregistering fails. */
    hr = IMsgrSessionManager_UnRegisterApplication(manager, guid);
    ok(FAILED(hr), "got %#lx\n", hr);
    SysFreeString(guid);
    SysFreeString(name);
    SysFreeString(url);
    SysFreeString(path);
}

/* IMsgrLock is on MsgrSessionManager; get_Status documents E_POINTER. */
static void test_lock(IMsgrSessionManager *manager)
{
    IMsgrLock *lock;
    HRESULT hr;

    hr = IMsgrSessionManager_QueryInterface(manager, &IID_IMsgrLock, (void **)&lock);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = IMsgrLock_get_Status(lock, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);
    IMsgrLock_Release(lock);
}

/* CreateSession: a new MsgrSession with its SessionID. */
static void test_session(IMsgrSessionManager *manager)
{
    IMsgrSession *session;
    IDispatch *disp, *user;
    HRESULT hr;
    GUID guid;
    ULONG ref;
    BSTR str;

    hr = IMsgrSessionManager_CreateSession(manager, NULL);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    hr = IMsgrSessionManager_CreateSession(manager, &disp);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = IDispatch_QueryInterface(disp, &IID_IMsgrSession, (void **)&session);
    ok(hr == S_OK, "got %#lx\n", hr);
    IDispatch_Release(disp);
    if (FAILED(hr)) return;

    /* E_INVALIDARG is the error each getter documents. */
    hr = IMsgrSession_get_State(session, NULL);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    hr = IMsgrSession_get_Flags(session, NULL);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);
    hr = IMsgrSession_get_SessionID(session, NULL);
    ok(hr == E_INVALIDARG, "got %#lx\n", hr);

    /* The session ID is a "{GUID}". */
    str = NULL;
    hr = IMsgrSession_get_SessionID(session, &str);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(SysStringLen(str) == 38, "got %s\n", wine_dbgstr_w(str));
    if (str)
    {
        hr = CLSIDFromString(str, &guid);
        ok(hr == S_OK, "got %#lx for %s\n", hr, wine_dbgstr_w(str));
    }
    SysFreeString(str);

    /* No application yet: SR_APP_NOT_SPECIFIED. */
    hr = IMsgrSession_get_Application(session, &str);
    ok(hr == SR_APP_NOT_SPECIFIED, "got %#lx\n", hr);
    /* Nobody invited yet: SR_NO_USER_INVITED. */
    user = NULL;
    hr = IMsgrSession_get_User(session, &user);
    ok(hr == SR_NO_USER_INVITED, "got %#lx\n", hr);
    if (user) IDispatch_Release(user);

    /* Too long: E_OUTOFMEMORY (an application GUID has 39 characters at most, an address 30). */
    str = bstr_fill('A', 40);
    hr = IMsgrSession_put_Application(session, str);
    ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
    SysFreeString(str);
    str = bstr_fill('1', 31);
    hr = IMsgrSession_put_LocalAddress(session, str);
    ok(hr == E_OUTOFMEMORY, "got %#lx\n", hr);
    SysFreeString(str);

    ref = IMsgrSession_Release(session);
    ok(!ref, "got refcount %lu\n", ref);
}

START_TEST(api)
{
    IMsgrSessionManager *manager;
    ULONG ref;

    CoInitialize(NULL);
    if ((manager = create_manager()))
    {
        test_register_flags(manager);
        test_lock(manager);
        test_session(manager);
        ref = IMsgrSessionManager_Release(manager);
        ok(!ref, "got refcount %lu\n", ref);
    }
    CoUninitialize();
}

/*
 * The project's own type library: WineMessengerLib
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
 * Undocumented choices (docs/behaviour.md, "Messenger"): WineMessengerLib, the
 * project's library of its host interfaces, beside the Messenger Private Type
 * Library that typelib.c tests (and that also builds for Windows).
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "msgrpriv.h"
#include "winemsgr.h"

#include "wine/test.h"
#include "../../rendezvoussession/tests/unload.h"
#include "typelib_check.h"

/* The C vtables of the host interfaces. */
static void test_vtable_layout(void)
{
#define SLOT(type, member, slot) \
    ok(FIELD_OFFSET(type, member) == (slot) * sizeof(void *), #member " is slot %u\n", \
       (unsigned int)(FIELD_OFFSET(type, member) / sizeof(void *)))
    SLOT(IMsgrSessionManagerHostVtbl, ReceiveInvitation, 7);
    SLOT(IMsgrSessionManagerHostVtbl, CreateRendezvousSession, 8);
    SLOT(IMsgrSessionHostVtbl, get_Invitation, 7);
    SLOT(IMsgrSessionHostVtbl, get_Handled, 8);
    SLOT(IMsgrSessionHostVtbl, Launch, 9);
    SLOT(IMsgrSessionHostVtbl, get_SecurityCode, 10);
#undef SLOT
}

/* The project's own library: both host interfaces dual, for scripts. */
static void test_extension_library(void)
{
    static const struct func_info manager_host[] =
    {
        { L"ReceiveInvitation", 1, FUNC, VT_HRESULT, 2,
          { { L"bstrInvitation", VT_BSTR, 0, P_IN }, { L"ppSession", VT_PTR, VT_DISPATCH, P_OUTRET } } },
        { L"CreateRendezvousSession", 2, FUNC, VT_HRESULT, 3,
          { { L"pSession", VT_DISPATCH, 0, P_IN }, { L"bstrRemoteUser", VT_BSTR, 0, P_IN },
            { L"ppRendezvousSession", VT_PTR, VT_UNKNOWN, P_OUTRET } } },
    };
    static const struct func_info session_host[] =
    {
        { L"Invitation", 1, GET, VT_HRESULT, 1, { { L"pbstrInvitation", VT_PTR, VT_BSTR, P_OUTRET } } },
        { L"Handled", 2, GET, VT_HRESULT, 1, { { L"pfHandled", VT_PTR, VT_BOOL, P_OUTRET } } },
        { L"Launch", 3, FUNC, VT_HRESULT, 0 },
        { L"SecurityCode", 4, GET, VT_HRESULT, 1, { { L"pbstrCode", VT_PTR, VT_BSTR, P_OUTRET } } },
    };
    TLIBATTR *libattr;
    ITypeLib *lib;
    UINT count;
    HRESULT hr;

    hr = LoadRegTypeLib(&LIBID_WineMessengerLib, 1, 0, LOCALE_SYSTEM_DEFAULT, &lib);
    ok(hr == S_OK, "LoadRegTypeLib returned %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = ITypeLib_GetLibAttr(lib, &libattr);
    ok(hr == S_OK, "GetLibAttr returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(libattr->wMajorVerNum == 1, "got major version %u\n", libattr->wMajorVerNum);
        ok(libattr->wMinorVerNum == 0, "got minor version %u\n", libattr->wMinorVerNum);
        ITypeLib_ReleaseTLibAttr(lib, libattr);
    }
    count = ITypeLib_GetTypeInfoCount(lib);
    ok(count == 2, "got %u types\n", count);
    /* And nonextensible. */
    check_dual(lib, &IID_IMsgrSessionManagerHost, L"IMsgrSessionManagerHost", manager_host,
               ARRAY_SIZE(manager_host), 0x11c0, __LINE__);
    check_dual(lib, &IID_IMsgrSessionHost, L"IMsgrSessionHost", session_host, ARRAY_SIZE(session_host), 0x11c0,
               __LINE__);
    ITypeLib_Release(lib);
}

START_TEST(extension)
{
    CoInitialize(NULL);
    test_vtable_layout();
    test_extension_library();
    check_unload("msgsc.dll");
    CoUninitialize();
}

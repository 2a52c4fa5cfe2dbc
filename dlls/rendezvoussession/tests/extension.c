/*
 * The project's own type libraries: WineRendezvousLib and the version of RendezvousSessionLib
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
 * Undocumented choices (docs/behaviour.md, "Type library and registration"):
 * the version of RendezvousSessionLib, and WineRendezvousLib, the project's own
 * library beside it.  The documented content of RendezvousSessionLib is
 * tested in typelib.c, which also builds for Windows.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "unload.h"

static ITypeInfo *get_typeinfo_checked(ITypeLib *lib, const GUID *guid, const WCHAR *name,
                                       TYPEKIND kind, TYPEATTR **attr)
{
    ITypeInfo *info = NULL;
    BSTR doc_name;
    HRESULT hr;

    *attr = NULL;
    hr = ITypeLib_GetTypeInfoOfGuid(lib, guid, &info);
    ok(hr == S_OK, "GetTypeInfoOfGuid(%s) returned %#lx\n", wine_dbgstr_w(name), hr);
    if (FAILED(hr)) return NULL;

    hr = ITypeInfo_GetDocumentation(info, MEMBERID_NIL, &doc_name, NULL, NULL, NULL);
    ok(hr == S_OK, "GetDocumentation returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(!lstrcmpW(doc_name, name), "got name %s, expected %s\n", wine_dbgstr_w(doc_name),
           wine_dbgstr_w(name));
        SysFreeString(doc_name);
    }

    hr = ITypeInfo_GetTypeAttr(info, attr);
    ok(hr == S_OK, "GetTypeAttr returned %#lx\n", hr);
    if (FAILED(hr))
    {
        ITypeInfo_Release(info);
        return NULL;
    }
    ok(IsEqualGUID(&(*attr)->guid, guid), "got guid %s\n", wine_dbgstr_guid(&(*attr)->guid));
    ok((*attr)->typekind == kind, "%s: got typekind %d\n", wine_dbgstr_w(name), (*attr)->typekind);
    return info;
}

/* The version of RendezvousSessionLib is not documented; this project uses 1.0. */
static void test_library_version(void)
{
    TLIBATTR *libattr;
    ITypeLib *lib;
    HRESULT hr;

    hr = LoadRegTypeLib(&LIBID_RendezvousSessionLib, 1, 0, LOCALE_SYSTEM_DEFAULT, &lib);
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
    ITypeLib_Release(lib);
}

/* The project's own library: the host interface is dual, so scripts can drive it. */
static void test_extension_library(void)
{
    ITypeInfo *info;
    TYPEATTR *attr;
    ITypeLib *lib;
    HRESULT hr;

    hr = LoadRegTypeLib(&LIBID_WineRendezvousLib, 1, 0, LOCALE_SYSTEM_DEFAULT, &lib);
    ok(hr == S_OK, "LoadRegTypeLib returned %#lx\n", hr);
    if (FAILED(hr)) return;

    info = get_typeinfo_checked(lib, &IID_IRendezvousSessionHost, L"IRendezvousSessionHost",
                                TKIND_DISPATCH, &attr);
    if (info)
    {
        ok(attr->wTypeFlags & TYPEFLAG_FDUAL, "got flags %#x\n", attr->wTypeFlags);
        ok(attr->wTypeFlags & TYPEFLAG_FDISPATCHABLE, "got flags %#x\n", attr->wTypeFlags);
        ITypeInfo_ReleaseTypeAttr(info, attr);
        ITypeInfo_Release(info);
    }
    info = get_typeinfo_checked(lib, &CLSID_RendezvousSession, L"RendezvousSession", TKIND_COCLASS, &attr);
    if (info)
    {
        ITypeInfo_ReleaseTypeAttr(info, attr);
        ITypeInfo_Release(info);
    }
    ITypeLib_Release(lib);
}

START_TEST(extension)
{
    CoInitialize(NULL);

    test_library_version();
    test_extension_library();

    check_unload("rendezvoussession.dll");
    CoUninitialize();
}

/*
 * Conformance tests for the documented Remote Assistance rendezvous classes
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
 * Documented behaviour only (spec/API.md, part A): this unit and typelib.c
 * form rendezvoussession_crosstest.exe ('make crosstest'), which links nothing
 * of this project and runs on Windows against the classes Windows registers.
 * Where a class or key is missing there (it is not documented which Windows
 * editions have them), win_skip says so; under Wine it is a failure, since the
 * project registers them.  The project's own choices (docs/behaviour.md) are
 * tested by the other units.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

/* Every GUID of the test program is defined here, once: with Wine's headers
 * they are not selectany as with mingw's, and the system headers come first
 * so that only the project's GUIDs are defined (the rest is in libuuid). */
#include <ocidl.h>
#include <initguid.h>
#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"

/* The RendezvousComponent CLSIDs the documentation gives for Remote Assistance. */
static const GUID CLSID_AskComponent = { 0xc0b3c446, 0x3032, 0x4016, { 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe } };
static const GUID CLSID_OfferComponent = { 0x49010c18, 0xb110, 0x421a, { 0x90, 0x47, 0xad, 0xca, 0x42, 0x1c, 0xbc, 0x40 } };

#define APPS_KEY L"SOFTWARE\\Microsoft\\RendezvousApps\\"

/* An object with IUnknown only: no session for SetRendezvousSession. */
static LONG plain_refcount = 1;

static HRESULT WINAPI plain_QueryInterface(IUnknown *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown))
    {
        *obj = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI plain_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&plain_refcount);
}

static ULONG WINAPI plain_Release(IUnknown *iface)
{
    return InterlockedDecrement(&plain_refcount);
}

static const IUnknownVtbl plain_vtbl = { plain_QueryInterface, plain_AddRef, plain_Release };
static IUnknown plain = { (IUnknownVtbl *)&plain_vtbl };

/* The documented RendezvousApps entries: Name, and the CLSID an IM creates. */
static void test_rendezvous_apps(void)
{
    static const struct
    {
        const WCHAR *app;
        const WCHAR *name;
        const CLSID *component;
    }
    apps[] =
    {
        { L"{56b994a7-380f-410b-9985-c809d78c1bdc}", L"Ask for RemoteAssistance", &CLSID_AskComponent },
        { L"{703EA1A8-D73E-43e3-852C-EE85B5D872C2}", L"Offer RemoteAssistance", &CLSID_OfferComponent },
    };
    WCHAR key[MAX_PATH], value[MAX_PATH];
    unsigned int i;
    LSTATUS status;
    CLSID clsid;
    DWORD size;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(apps); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(apps[i].app));
        swprintf(key, ARRAY_SIZE(key), L"%ls%ls", APPS_KEY, apps[i].app);
        size = sizeof(value);
        status = RegGetValueW(HKEY_LOCAL_MACHINE, key, L"RendezvousComponent", RRF_RT_REG_SZ, NULL, value, &size);
        if (status == ERROR_FILE_NOT_FOUND)
        {
            win_skip("Remote Assistance is not registered\n");
            winetest_pop_context();
            continue;
        }
        ok(!status, "got status %ld\n", status);
        if (!status)
        {
            hr = CLSIDFromString(value, &clsid);
            ok(hr == S_OK, "got %#lx\n", hr);
            ok(IsEqualGUID(&clsid, apps[i].component), "got %s\n", wine_dbgstr_w(value));
        }
        size = sizeof(value);
        status = RegGetValueW(HKEY_LOCAL_MACHINE, key, L"Name", RRF_RT_REG_SZ, NULL, value, &size);
        ok(!status, "got status %ld\n", status);
        if (!status) ok(!lstrcmpW(value, apps[i].name), "got %s\n", wine_dbgstr_w(value));
        winetest_pop_context();
    }
}

/* The classes serve IRendezvousApplication; an object that is no session is E_INVALIDARG. */
static void test_application(void)
{
    static const CLSID *const clsids[] = { &CLSID_RendezvousApplication, &CLSID_AskComponent, &CLSID_OfferComponent };
    IRendezvousApplication *app;
    IUnknown *unk;
    unsigned int i;
    ULONG ref;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(clsids); i++)
    {
        winetest_push_context("%s", wine_dbgstr_guid(clsids[i]));
        hr = CoCreateInstance(clsids[i], NULL, CLSCTX_INPROC_SERVER | CLSCTX_LOCAL_SERVER, &IID_IRendezvousApplication,
                              (void **)&app);
        if (hr == REGDB_E_CLASSNOTREG)
        {
            win_skip("class not registered\n");
            winetest_pop_context();
            continue;
        }
        ok(hr == S_OK, "got %#lx\n", hr);
        if (FAILED(hr))
        {
            winetest_pop_context();
            continue;
        }

        hr = IRendezvousApplication_QueryInterface(app, &IID_IUnknown, (void **)&unk);
        ok(hr == S_OK, "got %#lx\n", hr);
        if (hr == S_OK) IUnknown_Release(unk);

        /* Documented: E_INVALIDARG when the session object is not valid. */
        hr = IRendezvousApplication_SetRendezvousSession(app, &plain);
        ok(hr == E_INVALIDARG, "got %#lx\n", hr);
        ok(plain_refcount == 1, "got refcount %ld\n", plain_refcount);

        ref = IRendezvousApplication_Release(app);
        ok(!ref, "got refcount %lu\n", ref);
        winetest_pop_context();
    }
}

START_TEST(api)
{
    CoInitialize(NULL);
    test_rendezvous_apps();
    test_application();
    CoUninitialize();
}

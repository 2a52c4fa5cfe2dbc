/*
 * Conformance tests for rendezvoussession.dll class factories
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
 * rendezvoussession_test.exe only.  What Windows documents is tested alone in api.c
 * and typelib.c, which 'make crosstest' also builds for Windows.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "unload.h"

static HRESULT (WINAPI *pDllGetClassObject)(REFCLSID, REFIID, void **);
static HRESULT (WINAPI *pDllCanUnloadNow)(void);

/* An outer unknown that must never be called. */
static HRESULT WINAPI outer_QueryInterface(IUnknown *iface, REFIID riid, void **obj)
{
    ok(0, "unexpected call\n");
    return E_NOINTERFACE;
}

static ULONG WINAPI outer_AddRef(IUnknown *iface)
{
    ok(0, "unexpected call\n");
    return 2;
}

static ULONG WINAPI outer_Release(IUnknown *iface)
{
    ok(0, "unexpected call\n");
    return 1;
}

static const IUnknownVtbl outer_vtbl = { outer_QueryInterface, outer_AddRef, outer_Release };
static IUnknown outer = { &outer_vtbl };

static void test_get_class_object(void)
{
    static const GUID clsid_unknown = {0xdeadbeef, 0x1234, 0x5678, {0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78}};
    IClassFactory *factory;
    IUnknown *unk;
    HRESULT hr;

    unk = (IUnknown *)0xdeadbeef;
    hr = pDllGetClassObject(&clsid_unknown, &IID_IClassFactory, (void **)&unk);
    ok(hr == CLASS_E_CLASSNOTAVAILABLE, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);

    /* Remote Assistance's classes are served too (application.c tests them). */
    hr = pDllGetClassObject(&CLSID_RendezvousApplication, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "CLSID_RendezvousApplication: got %#lx\n", hr);
    if (hr == S_OK) IClassFactory_Release(factory);

    hr = pDllGetClassObject(&CLSID_RendezvousSession, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK) return;

    unk = (IUnknown *)0xdeadbeef;
    hr = IClassFactory_QueryInterface(factory, &IID_IStream, (void **)&unk);
    ok(hr == E_NOINTERFACE, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);
    hr = IClassFactory_QueryInterface(factory, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK) IUnknown_Release(unk);
    IClassFactory_Release(factory);

    unk = (IUnknown *)0xdeadbeef;
    hr = pDllGetClassObject(&CLSID_RendezvousSession, &IID_IStream, (void **)&unk);
    ok(hr == E_NOINTERFACE, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);

    hr = pDllGetClassObject(&CLSID_RendezvousSession, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK) IUnknown_Release(unk);
}

static void test_create_instance(void)
{
    IRendezvousSession *session;
    IClassFactory *factory;
    IUnknown *unk;
    HRESULT hr;

    hr = pDllGetClassObject(&CLSID_RendezvousSession, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK) return;

    unk = (IUnknown *)0xdeadbeef;
    hr = IClassFactory_CreateInstance(factory, &outer, &IID_IUnknown, (void **)&unk);
    ok(hr == CLASS_E_NOAGGREGATION, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);

    unk = (IUnknown *)0xdeadbeef;
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IStream, (void **)&unk);
    ok(hr == E_NOINTERFACE, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);
    /* The half-made object was freed: the module holds no object. */
    ok(pDllCanUnloadNow() == S_OK, "an object leaked\n");

    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IRendezvousSession, (void **)&session);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow did not see the object\n");
        ok(!IRendezvousSession_Release(session), "session still referenced\n");
        ok(pDllCanUnloadNow() == S_OK, "DllCanUnloadNow still sees the object\n");
    }

    /* LockServer counts, and balances. */
    hr = IClassFactory_LockServer(factory, TRUE);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow ignored the lock\n");
    hr = IClassFactory_LockServer(factory, TRUE);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IClassFactory_LockServer(factory, FALSE);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(pDllCanUnloadNow() == S_FALSE, "one lock is still held\n");
    hr = IClassFactory_LockServer(factory, FALSE);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(pDllCanUnloadNow() == S_OK, "locks did not balance\n");

    IClassFactory_Release(factory);
    ok(pDllCanUnloadNow() == S_OK, "the factory holds the module\n");
}

static void test_query_interface(void)
{
    IRendezvousSessionHost *host;
    IRendezvousSession *session;
    IConnectionPointContainer *container;
    IDispatch *dispatch;
    IUnknown *unk, *unk2;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER,
                          &IID_IRendezvousSession, (void **)&session);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr != S_OK) return;

    hr = IRendezvousSession_QueryInterface(session, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IRendezvousSession_QueryInterface(session, &IID_IRendezvousSessionHost, (void **)&host);
    ok(hr == S_OK, "got %#lx\n", hr);
    hr = IRendezvousSessionHost_QueryInterface(host, &IID_IUnknown, (void **)&unk2);
    ok(hr == S_OK, "got %#lx\n", hr);
    ok(unk == unk2, "IUnknown differs: %p, %p\n", unk, unk2);
    IUnknown_Release(unk2);
    IUnknown_Release(unk);

    hr = IRendezvousSessionHost_QueryInterface(host, &IID_IConnectionPointContainer, (void **)&container);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK) IConnectionPointContainer_Release(container);
    hr = IRendezvousSessionHost_QueryInterface(host, &IID_IDispatch, (void **)&dispatch);
    ok(hr == S_OK, "got %#lx\n", hr);
    if (hr == S_OK) IDispatch_Release(dispatch);

    unk = (IUnknown *)0xdeadbeef;
    hr = IRendezvousSession_QueryInterface(session, &IID_IRendezvousApplication, (void **)&unk);
    ok(hr == E_NOINTERFACE, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);
    unk = (IUnknown *)0xdeadbeef;
    hr = IRendezvousSession_QueryInterface(session, &IID_IStream, (void **)&unk);
    ok(hr == E_NOINTERFACE, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);
    hr = IRendezvousSession_QueryInterface(session, &IID_IUnknown, NULL);
    ok(hr == E_POINTER, "got %#lx\n", hr);

    IRendezvousSessionHost_Release(host);
    ok(!IRendezvousSession_Release(session), "object still referenced\n");
}

START_TEST(factory)
{
    HMODULE module;

    CoInitialize(NULL);

    module = LoadLibraryA("rendezvoussession.dll");
    ok(module != NULL, "rendezvoussession.dll not found: %lu\n", GetLastError());
    if (module)
    {
        pDllGetClassObject = (void *)GetProcAddress(module, "DllGetClassObject");
        pDllCanUnloadNow = (void *)GetProcAddress(module, "DllCanUnloadNow");
        ok(pDllGetClassObject != NULL, "entry points not exported\n");
        if (pDllGetClassObject) ok(pDllCanUnloadNow != NULL, "entry points not exported\n");
        if (pDllGetClassObject && pDllCanUnloadNow)
        {
            ok(pDllCanUnloadNow() == S_OK, "module busy before the test\n");
            test_get_class_object();
            test_create_instance();
        }
    }
    test_query_interface();

    if (module) FreeLibrary(module);
    check_unload("rendezvoussession.dll");
    CoUninitialize();
}

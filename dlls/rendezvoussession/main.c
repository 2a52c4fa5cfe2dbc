/*
 * rendezvoussession.dll: entry points, class factories, registration
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

#define COBJMACROS

#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include <initguid.h>
#include "rendezvoussession_private.h"
#include "rendezvous.h"
#include "register.h"
#include "wake.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

HINSTANCE rendezvous_instance;
static LONG module_refs;

void lock_module(void)
{
    InterlockedIncrement(&module_refs);
}

void unlock_module(void)
{
    InterlockedDecrement(&module_refs);
}

/* Type information */

/* Two libraries, both embedded: RendezvousSessionLib (the SDK's) is TYPELIB
 * resource 1, our WineRendezvousLib resource 2. */
static ITypeLib *typelibs[2];
static ITypeInfo *typeinfos[LAST_tid];

static const struct
{
    REFIID iid;
    unsigned int resource;
}
tid_ids[] =
{
    { &IID_IRendezvousSessionHost, 2 },
    { &DIID_DRendezvousSessionEvents, 1 },
};

static HRESULT load_typelib(unsigned int resource)
{
    WCHAR path[MAX_PATH + 4];
    ITypeLib *lib;
    DWORD len;
    HRESULT hr;

    /* Loading from the module works whether or not the DLL has been registered. */
    len = GetModuleFileNameW(rendezvous_instance, path, MAX_PATH);
    if (!len || len >= MAX_PATH) return E_FAIL;
    lstrcatW(path, resource == 1 ? L"\\1" : L"\\2");
    if (FAILED(hr = LoadTypeLibEx(path, REGKIND_NONE, &lib)))
    {
        ERR("LoadTypeLibEx failed: %#lx\n", hr);
        return hr;
    }
    if (InterlockedCompareExchangePointer((void **)&typelibs[resource - 1], lib, NULL))
        ITypeLib_Release(lib);
    return S_OK;
}

HRESULT get_typeinfo(enum type_id tid, ITypeInfo **ret)
{
    unsigned int resource = tid_ids[tid].resource;
    HRESULT hr;

    if (!typelibs[resource - 1] && FAILED(hr = load_typelib(resource))) return hr;
    if (!typeinfos[tid])
    {
        ITypeInfo *info;

        if (FAILED(hr = ITypeLib_GetTypeInfoOfGuid(typelibs[resource - 1], tid_ids[tid].iid, &info)))
        {
            ERR("GetTypeInfoOfGuid(%s) failed: %#lx\n", debugstr_guid(tid_ids[tid].iid), hr);
            return hr;
        }
        if (InterlockedCompareExchangePointer((void **)(typeinfos + tid), info, NULL))
            ITypeInfo_Release(info);
    }
    *ret = typeinfos[tid];
    ITypeInfo_AddRef(*ret);
    return S_OK;
}

void release_typelib(void)
{
    unsigned int i;

    for (i = 0; i < ARRAYSIZE(typeinfos); i++)
        if (typeinfos[i]) ITypeInfo_Release(typeinfos[i]);
    for (i = 0; i < ARRAYSIZE(typelibs); i++)
        if (typelibs[i]) ITypeLib_Release(typelibs[i]);
}

/* Class factories */

struct class_factory
{
    IClassFactory IClassFactory_iface;
    HRESULT (*create)(REFIID riid, void **obj);
};

static inline struct class_factory *impl_from_IClassFactory(IClassFactory *iface)
{
    return CONTAINING_RECORD(iface, struct class_factory, IClassFactory_iface);
}

static HRESULT WINAPI class_factory_QueryInterface(IClassFactory *iface, REFIID riid, void **obj)
{
    TRACE("%p, %s, %p.\n", iface, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IClassFactory))
    {
        *obj = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }

    WARN("no interface %s\n", debugstr_guid(riid));
    *obj = NULL;
    return E_NOINTERFACE;
}

/* The factories are static; they hold the module only through LockServer. */
static ULONG WINAPI class_factory_AddRef(IClassFactory *iface)
{
    return 2;
}

static ULONG WINAPI class_factory_Release(IClassFactory *iface)
{
    return 1;
}

static HRESULT WINAPI class_factory_CreateInstance(IClassFactory *iface, IUnknown *outer,
                                                   REFIID riid, void **obj)
{
    struct class_factory *factory = impl_from_IClassFactory(iface);

    TRACE("%p, %p, %s, %p.\n", iface, outer, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    *obj = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    return factory->create(riid, obj);
}

static HRESULT WINAPI class_factory_LockServer(IClassFactory *iface, BOOL lock)
{
    TRACE("%p, %d.\n", iface, lock);

    if (lock) lock_module();
    else unlock_module();
    return S_OK;
}

static const IClassFactoryVtbl class_factory_vtbl =
{
    class_factory_QueryInterface,
    class_factory_AddRef,
    class_factory_Release,
    class_factory_CreateInstance,
    class_factory_LockServer,
};

static struct class_factory session_factory = { { &class_factory_vtbl }, rendezvous_session_create };
static struct class_factory ask_factory = { { &class_factory_vtbl }, rendezvous_application_create_ask };
static struct class_factory offer_factory = { { &class_factory_vtbl }, rendezvous_application_create_offer };

/* Every class this DLL serves; raserver.exe serves the Remote Assistance ones out of process. */
static const struct
{
    const CLSID *clsid;
    struct class_factory *factory;
}
classes[] =
{
    { &CLSID_RendezvousSession, &session_factory },
    /* Remote Assistance: the documented class, and the two that Windows names
     * in HKLM\SOFTWARE\Microsoft\RendezvousApps. */
    { &CLSID_RendezvousApplication, &ask_factory },
    { &CLSID_RemoteAssistanceAsk, &ask_factory },
    { &CLSID_RemoteAssistanceOffer, &offer_factory },
};

/* The core's hook is cdecl; CoTaskMemAlloc is stdcall on i386. */
static void *core_alloc(size_t size)
{
    return CoTaskMemAlloc(size);
}

static void core_free(void *ptr)
{
    CoTaskMemFree(ptr);
}

/***********************************************************************
 *      DllMain
 */
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    TRACE("%p, %lu, %p.\n", instance, reason, reserved);

    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        rendezvous_instance = instance;
        DisableThreadLibraryCalls(instance);
        /* The core allocates through COM's task allocator, so that an IMallocSpy
         * sees, and can fail, every allocation on the way. */
        rv_set_allocator(core_alloc, core_free);
        break;
    case DLL_PROCESS_DETACH:
        /* At process exit other DLLs may already be gone. */
        if (reserved) break;
        wake_unregister_class();
        rendezvous_application_unregister_class();
        release_typelib();
        break;
    }
    return TRUE;
}

/***********************************************************************
 *      DllGetClassObject (rendezvoussession.@)
 */
HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **obj)
{
    unsigned int i;

    TRACE("%s, %s, %p.\n", debugstr_guid(clsid), debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    *obj = NULL;

    for (i = 0; i < ARRAY_SIZE(classes); i++)
        if (IsEqualGUID(clsid, classes[i].clsid))
            return IClassFactory_QueryInterface(&classes[i].factory->IClassFactory_iface, riid, obj);

    WARN("class %s not available\n", debugstr_guid(clsid));
    return CLASS_E_CLASSNOTAVAILABLE;
}

/***********************************************************************
 *      DllCanUnloadNow (rendezvoussession.@)
 */
HRESULT WINAPI DllCanUnloadNow(void)
{
    TRACE("refs %ld.\n", module_refs);

    return module_refs ? S_FALSE : S_OK;
}

/***********************************************************************
 *      DllRegisterServer (rendezvoussession.@)
 */
HRESULT WINAPI DllRegisterServer(void)
{
    TRACE("\n");

    return register_resources(rendezvous_instance, TRUE);
}

/***********************************************************************
 *      DllUnregisterServer (rendezvoussession.@)
 */
HRESULT WINAPI DllUnregisterServer(void)
{
    HRESULT hr;

    TRACE("\n");

    hr = register_resources(rendezvous_instance, FALSE);
    remove_empty_typelib_key(&LIBID_RendezvousSessionLib);
    remove_empty_typelib_key(&LIBID_WineRendezvousLib);
    return hr;
}

/*
 * msgsc.dll: entry points, class factories, type information, registration
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
#include "msgsc_private.h"
#include "register.h"
#include "wake.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(msgsc);

HINSTANCE msgsc_instance;
static LONG module_refs;

/* events.c, shared with rendezvoussession.dll, counts its objects here. */
void lock_module(void)
{
    InterlockedIncrement(&module_refs);
}

void unlock_module(void)
{
    InterlockedDecrement(&module_refs);
}

/* Type information */

static ITypeLib *typelibs[2];
static ITypeInfo *typeinfos[MSGR_LAST_tid];

static const struct
{
    REFIID iid;
    unsigned int resource;
}
tid_ids[] =
{
    { &IID_IMsgrSessionManager, 1 },
    { &IID_IMsgrSession, 1 },
    { &DIID_DMsgrSessionEvents, 1 },
    { &IID_IMsgrSessionManagerHost, 2 },
    { &IID_IMsgrSessionHost, 2 },
};

static HRESULT load_typelib(unsigned int resource)
{
    WCHAR path[MAX_PATH + 4];
    ITypeLib *lib;
    DWORD len;
    HRESULT hr;

    /* From the module itself, registered or not. */
    len = GetModuleFileNameW(msgsc_instance, path, MAX_PATH);
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

HRESULT msgr_get_typeinfo(enum msgr_tid tid, ITypeInfo **ret)
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

static void release_typelibs(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(typeinfos); i++)
        if (typeinfos[i]) ITypeInfo_Release(typeinfos[i]);
    for (i = 0; i < ARRAY_SIZE(typelibs); i++)
        if (typelibs[i]) ITypeLib_Release(typelibs[i]);
}

HRESULT msgr_get_type_info(enum msgr_tid tid, UINT index, ITypeInfo **info)
{
    if (!info) return E_POINTER;
    *info = NULL;
    if (index) return DISP_E_BADINDEX;
    return msgr_get_typeinfo(tid, info);
}

HRESULT msgr_get_ids_of_names(enum msgr_tid tid, REFIID riid, LPOLESTR *names, UINT count, DISPID *ids)
{
    ITypeInfo *info;
    HRESULT hr;

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (!names || !ids) return E_POINTER;
    if (FAILED(hr = msgr_get_typeinfo(tid, &info))) return hr;
    hr = ITypeInfo_GetIDsOfNames(info, names, count, ids);
    ITypeInfo_Release(info);
    return hr;
}

HRESULT msgr_invoke(enum msgr_tid tid, void *iface, DISPID id, REFIID riid, WORD flags, DISPPARAMS *params,
                    VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    ITypeInfo *info;
    HRESULT hr;

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (FAILED(hr = msgr_get_typeinfo(tid, &info))) return hr;
    hr = ITypeInfo_Invoke(info, iface, id, flags, params, result, excepinfo, argerr);
    ITypeInfo_Release(info);
    return hr;
}

void msgr_fire(struct connection_point *cp, DISPID dispid, VARIANT *args, unsigned int count)
{
    DISPPARAMS params = { args, NULL, count, 0 };

    connection_point_fire(cp, dispid, &params);
}

/* IMsgrLock: disabled, as with every service but the .NET Messenger Service. */

static inline struct msgr_lock *impl_from_IMsgrLock(IMsgrLock *iface)
{
    return CONTAINING_RECORD(iface, struct msgr_lock, IMsgrLock_iface);
}

static HRESULT WINAPI lock_QueryInterface(IMsgrLock *iface, REFIID riid, void **obj)
{
    return IUnknown_QueryInterface(impl_from_IMsgrLock(iface)->outer, riid, obj);
}

static ULONG WINAPI lock_AddRef(IMsgrLock *iface)
{
    return IUnknown_AddRef(impl_from_IMsgrLock(iface)->outer);
}

static ULONG WINAPI lock_Release(IMsgrLock *iface)
{
    return IUnknown_Release(impl_from_IMsgrLock(iface)->outer);
}

static HRESULT WINAPI lock_get_Status(IMsgrLock *iface, LockStatus *status)
{
    TRACE("%p, %p.\n", iface, status);

    if (!status) return E_POINTER;
    *status = LOCK_DISABLED;
    return S_OK;
}

static HRESULT WINAPI lock_RequestChallenge(IMsgrLock *iface, LONG cookie)
{
    TRACE("%p, %#lx.\n", iface, cookie);

    return MSGR_E_API_DISABLED;
}

static HRESULT WINAPI lock_SendResponse(IMsgrLock *iface, BSTR app_id, BSTR response, LONG cookie)
{
    TRACE("%p, %s, %s, %#lx.\n", iface, debugstr_w(app_id), debugstr_w(response), cookie);

    return MSGR_E_API_DISABLED;
}

const IMsgrLockVtbl msgr_lock_vtbl =
{
    lock_QueryInterface,
    lock_AddRef,
    lock_Release,
    lock_get_Status,
    lock_RequestChallenge,
    lock_SendResponse,
};

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

static struct class_factory manager_factory = { { &class_factory_vtbl }, msgr_manager_create };
static struct class_factory session_factory = { { &class_factory_vtbl }, msgr_session_create };

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
        msgsc_instance = instance;
        DisableThreadLibraryCalls(instance);
        /* This module's copy of the core allocates through COM's task
         * allocator, so that an IMallocSpy sees, and can fail, every
         * allocation on the way. */
        rv_set_allocator(core_alloc, core_free);
        break;
    case DLL_PROCESS_DETACH:
        /* At process exit other DLLs may already be gone. */
        if (reserved) break;
        wake_unregister_class();
        release_typelibs();
        break;
    }
    return TRUE;
}

/***********************************************************************
 *      DllGetClassObject (msgsc.@)
 */
HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **obj)
{
    TRACE("%s, %s, %p.\n", debugstr_guid(clsid), debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    *obj = NULL;

    if (IsEqualGUID(clsid, &CLSID_MsgrSessionManager))
        return IClassFactory_QueryInterface(&manager_factory.IClassFactory_iface, riid, obj);
    if (IsEqualGUID(clsid, &CLSID_MsgrSession))
        return IClassFactory_QueryInterface(&session_factory.IClassFactory_iface, riid, obj);

    WARN("class %s not available\n", debugstr_guid(clsid));
    return CLASS_E_CLASSNOTAVAILABLE;
}

/***********************************************************************
 *      DllCanUnloadNow (msgsc.@)
 */
HRESULT WINAPI DllCanUnloadNow(void)
{
    TRACE("refs %ld.\n", module_refs);

    return module_refs ? S_FALSE : S_OK;
}

/***********************************************************************
 *      DllRegisterServer (msgsc.@)
 */
HRESULT WINAPI DllRegisterServer(void)
{
    TRACE("\n");

    return register_resources(msgsc_instance, TRUE);
}

/***********************************************************************
 *      DllUnregisterServer (msgsc.@)
 */
HRESULT WINAPI DllUnregisterServer(void)
{
    HRESULT hr;

    TRACE("\n");

    hr = register_resources(msgsc_instance, FALSE);
    remove_empty_typelib_key(&LIBID_MessengerPrivate);
    remove_empty_typelib_key(&LIBID_WineMessengerLib);
    return hr;
}

/*
 * What every COM module of the project needs once: object count, class factory, type information
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

#include "module.h"
#include "object.h"
#include "register.h"
#include "rendezvous.h"
#include "wake.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

static LONG module_refs;

void lock_module(void)
{
    InterlockedIncrement(&module_refs);
}

void unlock_module(void)
{
    InterlockedDecrement(&module_refs);
}

HRESULT module_can_unload_now(void)
{
    TRACE("refs %ld.\n", module_refs);

    return module_refs ? S_FALSE : S_OK;
}

/* The core's hook is cdecl; CoTaskMemAlloc is stdcall on i386. */
static void *core_alloc(size_t size)
{
    return CoTaskMemAlloc(size);
}

static void core_free(void *ptr)
{
    CoTaskMemFree(ptr);
}

/* At DLL_PROCESS_ATTACH: the module's copy of the core allocates through
 * COM's task allocator, so that an IMallocSpy sees, and can fail, every
 * allocation on the way. */
static void module_use_task_allocator(void)
{
    rv_set_allocator(core_alloc, core_free);
}

/* Class factories */

static inline struct class_factory *impl_from_IClassFactory(IClassFactory *iface)
{
    return CONTAINING_RECORD(iface, struct class_factory, IClassFactory_iface);
}

static const struct object_interface class_factory_interfaces[] =
{
    { &IID_IClassFactory, offsetof(struct class_factory, IClassFactory_iface) },
    { NULL }
};

static HRESULT WINAPI class_factory_QueryInterface(IClassFactory *iface, REFIID riid, void **obj)
{
    return object_query_interface(impl_from_IClassFactory(iface), class_factory_interfaces, riid, obj);
}

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

const IClassFactoryVtbl class_factory_vtbl =
{
    class_factory_QueryInterface,
    class_factory_AddRef,
    class_factory_Release,
    class_factory_CreateInstance,
    class_factory_LockServer,
};

HRESULT module_get_class_object(const struct com_module *module, REFCLSID clsid, REFIID riid, void **obj)
{
    const struct class_entry *entry;

    TRACE("%s, %s, %p.\n", debugstr_guid(clsid), debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    *obj = NULL;

    for (entry = module->classes; entry < module->classes + module->class_count; entry++)
        if (IsEqualGUID(clsid, entry->clsid))
            return IClassFactory_QueryInterface(&entry->factory->IClassFactory_iface, riid, obj);

    WARN("class %s not available\n", debugstr_guid(clsid));
    return CLASS_E_CLASSNOTAVAILABLE;
}

/* Type information */

static HRESULT load_typelib(struct typeinfo_cache *cache, unsigned int resource)
{
    WCHAR path[MAX_PATH + 4];
    ITypeLib *lib;
    DWORD len;
    HRESULT hr;

    /* Loading from the module works whether or not it has been registered. */
    len = GetModuleFileNameW(*cache->module, path, MAX_PATH);
    if (!len || len >= MAX_PATH) return E_FAIL;
    lstrcatW(path, resource == 1 ? L"\\1" : L"\\2");
    if (FAILED(hr = LoadTypeLibEx(path, REGKIND_NONE, &lib)))
    {
        ERR("LoadTypeLibEx failed: %#lx\n", hr);
        return hr;
    }
    if (InterlockedCompareExchangePointer((void **)&cache->libs[resource - 1], lib, NULL))
        ITypeLib_Release(lib);
    return S_OK;
}

HRESULT typeinfo_cache_get(struct typeinfo_cache *cache, unsigned int tid, ITypeInfo **ret)
{
    unsigned int resource = cache->ids[tid].resource;
    HRESULT hr;

    if (!cache->libs[resource - 1] && FAILED(hr = load_typelib(cache, resource))) return hr;
    if (!cache->infos[tid])
    {
        ITypeInfo *info;

        if (FAILED(hr = ITypeLib_GetTypeInfoOfGuid(cache->libs[resource - 1], cache->ids[tid].iid, &info)))
        {
            ERR("GetTypeInfoOfGuid(%s) failed: %#lx\n", debugstr_guid(cache->ids[tid].iid), hr);
            return hr;
        }
        if (InterlockedCompareExchangePointer((void **)(cache->infos + tid), info, NULL))
            ITypeInfo_Release(info);
    }
    *ret = cache->infos[tid];
    ITypeInfo_AddRef(*ret);
    return S_OK;
}

/* At DLL_PROCESS_DETACH, when the process goes on. */
static void typeinfo_cache_release(struct typeinfo_cache *cache)
{
    unsigned int i;

    for (i = 0; i < cache->count; i++)
        if (cache->infos[i]) ITypeInfo_Release(cache->infos[i]);
    for (i = 0; i < ARRAY_SIZE(cache->libs); i++)
        if (cache->libs[i]) ITypeLib_Release(cache->libs[i]);
}

HRESULT dispatch_get_type_info(struct typeinfo_cache *cache, unsigned int tid, UINT index, ITypeInfo **info)
{
    if (!info) return E_POINTER;
    *info = NULL;
    if (index) return DISP_E_BADINDEX;
    return typeinfo_cache_get(cache, tid, info);
}

HRESULT dispatch_get_ids_of_names(struct typeinfo_cache *cache, unsigned int tid, REFIID riid, LPOLESTR *names,
                                  UINT count, DISPID *ids)
{
    ITypeInfo *info;
    HRESULT hr;

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (!names || !ids) return E_POINTER;
    if (FAILED(hr = typeinfo_cache_get(cache, tid, &info))) return hr;
    hr = ITypeInfo_GetIDsOfNames(info, names, count, ids);
    ITypeInfo_Release(info);
    return hr;
}

HRESULT dispatch_invoke(struct typeinfo_cache *cache, unsigned int tid, void *iface, DISPID id, REFIID riid,
                        WORD flags, DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    ITypeInfo *info;
    HRESULT hr;

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (FAILED(hr = typeinfo_cache_get(cache, tid, &info))) return hr;
    hr = ITypeInfo_Invoke(info, iface, id, flags, params, result, excepinfo, argerr);
    ITypeInfo_Release(info);
    return hr;
}

/* Entry points */

BOOL module_dll_main(const struct com_module *module, HINSTANCE instance, DWORD reason, void *reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        *module->instance = instance;
        DisableThreadLibraryCalls(instance);
        module_use_task_allocator();
        break;
    case DLL_PROCESS_DETACH:
        /* At process exit the other threads, the core's I/O thread among them, are gone:
         * what sessions accepted still goes out, bounded, before the sockets close. */
        if (reserved)
        {
            rv_process_exit(RV_EXIT_TIMEOUT_MS);
            break;
        }
        wake_unregister_class();
        if (module->detach) module->detach();
        typeinfo_cache_release(module->typeinfo);
        break;
    }
    return TRUE;
}

HRESULT module_register(const struct com_module *module, BOOL do_register)
{
    unsigned int i;
    HRESULT hr;

    hr = do_register ? __wine_register_resources() : __wine_unregister_resources();
    if (!do_register)
    {
        for (i = 0; i < ARRAY_SIZE(module->libids); i++)
            if (module->libids[i]) remove_empty_typelib_key(module->libids[i]);
    }
    return hr;
}

HRESULT module_security_code(struct rv_session *core, BSTR *code)
{
    char digits[8];
    WCHAR text[8];
    unsigned int i;
    HRESULT hr;

    if (!code) return E_POINTER;
    *code = NULL;
    if (FAILED(hr = rv_session_get_security_code(core, digits))) return hr;
    for (i = 0; digits[i] && i < ARRAY_SIZE(text) - 1; i++) text[i] = digits[i];
    text[i] = 0;
    return (*code = SysAllocString(text)) ? S_OK : E_OUTOFMEMORY;
}

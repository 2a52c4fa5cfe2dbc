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

#ifndef __RENDEZVOUS_MODULE_H
#define __RENDEZVOUS_MODULE_H

/* Shared by rendezvoussession.dll and msgsc.dll: each module links its own
 * copy, and so has its own count, factories and type information. */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Live objects and IClassFactory::LockServer locks, for DllCanUnloadNow. */
void lock_module(void);
void unlock_module(void);
HRESULT module_can_unload_now(void);

/* A static class factory: it holds the module only through LockServer. */
struct class_factory
{
    IClassFactory IClassFactory_iface;
    HRESULT (*create)(REFIID riid, void **obj);
};

extern const IClassFactoryVtbl class_factory_vtbl;
#define CLASS_FACTORY(create) { { &class_factory_vtbl }, create }

struct class_entry
{
    const CLSID *clsid;
    struct class_factory *factory;
};

/* The security code of a core session as a BSTR: six digits once the peer
 * channel's handshake is done, HRESULT_FROM_WIN32(ERROR_INVALID_STATE) before. */
struct rv_session;
HRESULT module_security_code(struct rv_session *core, BSTR *code);

/* Type information from the module's embedded TYPELIB resources 1 and 2,
 * loaded on first use whether or not the module is registered. */
struct typeinfo_id
{
    const IID *iid;
    unsigned int resource;      /* 1 or 2 */
};

struct typeinfo_cache
{
    HINSTANCE *module;
    const struct typeinfo_id *ids;
    ITypeInfo **infos;          /* one per id */
    unsigned int count;
    ITypeLib *libs[2];
};

HRESULT typeinfo_cache_get(struct typeinfo_cache *cache, unsigned int tid, ITypeInfo **ret);

/* IDispatch's GetTypeInfo, GetIDsOfNames and Invoke, for a dual interface or a
 * dispinterface sink, through the type information of tid. */
HRESULT dispatch_get_type_info(struct typeinfo_cache *cache, unsigned int tid, UINT index, ITypeInfo **info);
HRESULT dispatch_get_ids_of_names(struct typeinfo_cache *cache, unsigned int tid, REFIID riid, LPOLESTR *names,
                                  UINT count, DISPID *ids);
HRESULT dispatch_invoke(struct typeinfo_cache *cache, unsigned int tid, void *iface, DISPID id, REFIID riid,
                        WORD flags, DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr);

/*
 * IDispatch's four methods for a dual interface, named prefix_GetTypeInfoCount
 * and so on, through the type information of tid in cache (Wine's mshtml
 * writes its objects' the same way with DISPEX_IDISPATCH_IMPL).  They trace
 * on the debug channel of the file that uses the macro.
 */
#define DUAL_DISPATCH_METHODS(prefix, iface_type, cache, tid) \
    static HRESULT WINAPI prefix##_GetTypeInfoCount(iface_type *iface, UINT *count) \
    { \
        TRACE("%p, %p.\n", iface, count); \
        if (!count) return E_POINTER; \
        *count = 1; \
        return S_OK; \
    } \
    static HRESULT WINAPI prefix##_GetTypeInfo(iface_type *iface, UINT index, LCID lcid, ITypeInfo **info) \
    { \
        TRACE("%p, %u, %#lx, %p.\n", iface, index, lcid, info); \
        return dispatch_get_type_info(cache, tid, index, info); \
    } \
    static HRESULT WINAPI prefix##_GetIDsOfNames(iface_type *iface, REFIID riid, LPOLESTR *names, UINT count, \
                                                 LCID lcid, DISPID *ids) \
    { \
        TRACE("%p, %s, %p, %u, %#lx, %p.\n", iface, debugstr_guid(riid), names, count, lcid, ids); \
        return dispatch_get_ids_of_names(cache, tid, riid, names, count, ids); \
    } \
    static HRESULT WINAPI prefix##_Invoke(iface_type *iface, DISPID id, REFIID riid, LCID lcid, WORD flags, \
                                          DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, \
                                          UINT *argerr) \
    { \
        TRACE("%p, %ld, %s, %#lx, %#x, %p, %p, %p, %p.\n", iface, id, debugstr_guid(riid), lcid, flags, \
              params, result, excepinfo, argerr); \
        return dispatch_invoke(cache, tid, iface, id, riid, flags, params, result, excepinfo, argerr); \
    }

/*
 * IUnknown's three methods for an interface that another answers for, named
 * prefix_QueryInterface and so on: outer is an expression of iface giving that
 * other interface, as an IUnknown pointer (the object's first interface, or the
 * outer object of a part such as a connection point container).
 */
#define FORWARD_IUNKNOWN_METHODS(prefix, iface_type, outer) \
    static HRESULT WINAPI prefix##_QueryInterface(iface_type *iface, REFIID riid, void **obj) \
    { \
        return IUnknown_QueryInterface(outer, riid, obj); \
    } \
    static ULONG WINAPI prefix##_AddRef(iface_type *iface) \
    { \
        return IUnknown_AddRef(outer); \
    } \
    static ULONG WINAPI prefix##_Release(iface_type *iface) \
    { \
        return IUnknown_Release(outer); \
    }

/* What a module's main.c describes once; its DllMain, DllGetClassObject and
 * registration entry points run over it. */
struct com_module
{
    HINSTANCE *instance;
    const struct class_entry *classes;
    unsigned int class_count;
    struct typeinfo_cache *typeinfo;
    const GUID *libids[2];          /* its type libraries, by TYPELIB resource */
    void (*detach)(void);           /* more to let go of at unload, or NULL */
};

BOOL module_dll_main(const struct com_module *module, HINSTANCE instance, DWORD reason, void *reserved);
/* DllGetClassObject over the module's table of classes. */
HRESULT module_get_class_object(const struct com_module *module, REFCLSID clsid, REFIID riid, void **obj);
/* DllRegisterServer and DllUnregisterServer. */
HRESULT module_register(const struct com_module *module, BOOL do_register);

#endif /* __RENDEZVOUS_MODULE_H */

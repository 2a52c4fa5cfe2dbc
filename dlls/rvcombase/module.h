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

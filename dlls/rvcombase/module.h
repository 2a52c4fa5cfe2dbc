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

/* At DLL_PROCESS_ATTACH: the module's copy of the core allocates through
 * COM's task allocator, so that an IMallocSpy sees, and can fail, every
 * allocation on the way. */
void module_use_task_allocator(void);

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

/* DllGetClassObject over a module's table of classes. */
HRESULT module_get_class_object(const struct class_entry *classes, unsigned int count, REFCLSID clsid,
                                REFIID riid, void **obj);

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
    ITypeLib *libs[2];
};

HRESULT typeinfo_cache_get(struct typeinfo_cache *cache, unsigned int tid, ITypeInfo **ret);
/* At DLL_PROCESS_DETACH, when the process goes on. */
void typeinfo_cache_release(struct typeinfo_cache *cache, unsigned int count);

#endif /* __RENDEZVOUS_MODULE_H */

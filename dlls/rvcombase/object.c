/*
 * The identity of a COM object: QueryInterface over a table, one reference count
 *
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

#include "object.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

static inline struct com_object *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct com_object, IUnknown_iface);
}

HRESULT object_query_interface(void *base, const struct object_interface *interfaces, REFIID riid, void **obj)
{
    const struct object_interface *entry;
    IUnknown *unk;

    TRACE("%p, %s, %p.\n", base, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    for (entry = interfaces; entry->iid; entry++)
        if (IsEqualGUID(riid, entry->iid)) break;
    if (!entry->iid && IsEqualGUID(riid, &IID_IUnknown)) entry = interfaces;
    if (!entry->iid)
    {
        WARN("no interface %s\n", debugstr_guid(riid));
        *obj = NULL;
        return E_NOINTERFACE;
    }
    unk = (IUnknown *)((char *)base + entry->offset);
    IUnknown_AddRef(unk);
    *obj = unk;
    return S_OK;
}

static HRESULT WINAPI object_QueryInterface(IUnknown *iface, REFIID riid, void **obj)
{
    struct com_object *object = impl_from_IUnknown(iface);

    return object_query_interface(object->base, object->interfaces, riid, obj);
}

static ULONG WINAPI object_AddRef(IUnknown *iface)
{
    struct com_object *object = impl_from_IUnknown(iface);
    ULONG refcount = InterlockedIncrement(&object->refcount);

    TRACE("%p, refcount %lu.\n", object->base, refcount);
    return refcount;
}

static ULONG WINAPI object_Release(IUnknown *iface)
{
    struct com_object *object = impl_from_IUnknown(iface);
    ULONG refcount = InterlockedDecrement(&object->refcount);

    TRACE("%p, refcount %lu.\n", object->base, refcount);

    if (!refcount) object->final_release(object);
    return refcount;
}

static const IUnknownVtbl object_vtbl =
{
    object_QueryInterface,
    object_AddRef,
    object_Release,
};

void com_object_init(struct com_object *object, void *base, const struct object_interface *interfaces,
                     void (*final_release)(struct com_object *object))
{
    object->IUnknown_iface.lpVtbl = &object_vtbl;
    object->refcount = 1;
    object->base = base;
    object->interfaces = interfaces;
    object->final_release = final_release;
}

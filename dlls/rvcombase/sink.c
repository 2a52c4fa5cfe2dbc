/*
 * Detachable sinks for another object's dispinterface events
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
#include "sink.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

/* Guards every sink's owner pointer: the other object may call a sink from any thread. */
static SRWLOCK sink_lock = SRWLOCK_INIT;

static inline struct event_sink *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct event_sink, IDispatch_iface);
}

void *event_sink_detach(struct event_sink *sink)
{
    void *owner;

    AcquireSRWLockExclusive(&sink_lock);
    owner = sink->owner;
    sink->owner = NULL;
    ReleaseSRWLockExclusive(&sink_lock);
    return owner;
}

void *event_sink_hold_owner(struct event_sink *sink, void *context)
{
    void *owner;

    AcquireSRWLockExclusive(&sink_lock);
    if ((owner = sink->owner) && !sink->ops->hold(owner, context)) owner = NULL;
    ReleaseSRWLockExclusive(&sink_lock);
    return owner;
}

FORWARD_IUNKNOWN_METHODS(sink, IDispatch, &impl_from_IDispatch(iface)->object.IUnknown_iface)

static void sink_final_release(struct com_object *object)
{
    struct event_sink *sink = CONTAINING_RECORD(object, struct event_sink, object);
    void *owner;

    if ((owner = event_sink_detach(sink)) && sink->ops->orphaned) sink->ops->orphaned(owner, sink);
    CoTaskMemFree(sink);
    unlock_module();
}

static HRESULT WINAPI sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    TRACE("%p, %p.\n", iface, count);

    if (!count) return E_POINTER;
    *count = 1;
    return S_OK;
}

static HRESULT WINAPI sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    struct event_sink *sink = impl_from_IDispatch(iface);

    TRACE("%p, %u, %#lx, %p.\n", sink, index, lcid, info);

    return dispatch_get_type_info(sink->typeinfo, sink->tid, index, info);
}

static HRESULT WINAPI sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                         LCID lcid, DISPID *ids)
{
    struct event_sink *sink = impl_from_IDispatch(iface);

    TRACE("%p, %s, %p, %u, %#lx, %p.\n", sink, debugstr_guid(riid), names, count, lcid, ids);

    return dispatch_get_ids_of_names(sink->typeinfo, sink->tid, riid, names, count, ids);
}

static HRESULT WINAPI sink_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    struct event_sink *sink = impl_from_IDispatch(iface);

    TRACE("%p, %ld, %s, %#lx, %#x, %p, %p, %p, %p.\n", sink, id, debugstr_guid(riid), lcid, flags, params,
          result, excepinfo, argerr);

    if (!IsEqualGUID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    return sink->ops->invoke(sink, id, flags, params, result, argerr);
}

static const IDispatchVtbl sink_vtbl =
{
    sink_QueryInterface,
    sink_AddRef,
    sink_Release,
    sink_GetTypeInfoCount,
    sink_GetTypeInfo,
    sink_GetIDsOfNames,
    sink_Invoke,
};

HRESULT event_sink_create(const IID *iid, struct typeinfo_cache *typeinfo, unsigned int tid,
                          const struct event_sink_ops *ops, void *owner, struct event_sink **ret)
{
    struct event_sink *sink;

    *ret = NULL;
    if (!(sink = CoTaskMemAlloc(sizeof(*sink)))) return E_OUTOFMEMORY;
    sink->IDispatch_iface.lpVtbl = &sink_vtbl;
    sink->interfaces[0].iid = &IID_IDispatch;
    sink->interfaces[0].offset = offsetof(struct event_sink, IDispatch_iface);
    sink->interfaces[1].iid = iid;
    sink->interfaces[1].offset = offsetof(struct event_sink, IDispatch_iface);
    sink->interfaces[2].iid = NULL;
    com_object_init(&sink->object, sink, sink->interfaces, sink_final_release);
    sink->typeinfo = typeinfo;
    sink->tid = tid;
    sink->ops = ops;
    sink->owner = owner;
    lock_module();
    *ret = sink;
    return S_OK;
}

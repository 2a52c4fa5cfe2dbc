/*
 * Connection points for dispinterface events
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

#include "module.h"
#include "object.h"
#include "events.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

/* Sinks live in an array from CoTaskMemAlloc, so that tests can fail Advise's
 * allocation with an IMallocSpy; a free slot has sink == NULL. */

static inline struct connection_point *impl_from_IConnectionPoint(IConnectionPoint *iface)
{
    return CONTAINING_RECORD(iface, struct connection_point, IConnectionPoint_iface);
}

static const struct object_interface connection_point_interfaces[] =
{
    { &IID_IConnectionPoint, offsetof(struct connection_point, IConnectionPoint_iface) },
    { NULL }
};

static HRESULT WINAPI connection_point_QueryInterface(IConnectionPoint *iface, REFIID riid, void **obj)
{
    return object_query_interface(impl_from_IConnectionPoint(iface), connection_point_interfaces, riid, obj);
}

/* The point lives inside its container and shares its reference count. */
static ULONG WINAPI connection_point_AddRef(IConnectionPoint *iface)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    return IConnectionPointContainer_AddRef(cp->container);
}

static ULONG WINAPI connection_point_Release(IConnectionPoint *iface)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    return IConnectionPointContainer_Release(cp->container);
}

static HRESULT WINAPI connection_point_GetConnectionInterface(IConnectionPoint *iface, IID *iid)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);

    TRACE("%p, %p.\n", cp, iid);

    if (!iid) return E_POINTER;
    *iid = *cp->iid;
    return S_OK;
}

static HRESULT WINAPI connection_point_GetConnectionPointContainer(IConnectionPoint *iface,
                                                                  IConnectionPointContainer **container)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);

    TRACE("%p, %p.\n", cp, container);

    if (!container) return E_POINTER;
    *container = cp->container;
    IConnectionPointContainer_AddRef(*container);
    return S_OK;
}

static HRESULT WINAPI connection_point_Advise(IConnectionPoint *iface, IUnknown *unk, DWORD *cookie)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    IDispatch *sink;
    unsigned int i;
    HRESULT hr;

    TRACE("%p, %p, %p.\n", cp, unk, cookie);

    if (!cookie) return E_POINTER;
    *cookie = 0;
    if (!unk) return E_POINTER;

    if (FAILED(IUnknown_QueryInterface(unk, cp->iid, (void **)&sink)) &&
        FAILED(IUnknown_QueryInterface(unk, &IID_IDispatch, (void **)&sink)))
    {
        WARN("sink %p has no IDispatch\n", unk);
        return CONNECT_E_CANNOTCONNECT;
    }

    EnterCriticalSection(&cp->cs);
    for (i = 0; i < cp->size; i++)
        if (!cp->sinks[i].sink) break;
    if (i == cp->size)
    {
        unsigned int new_size = cp->size ? cp->size * 2 : 4;
        struct sink_entry *sinks;

        /* Wine 8's allocator miscounts CoTaskMemRealloc(NULL, n) under an
         * IMallocSpy, so a first block comes from CoTaskMemAlloc. */
        if (new_size > MAX_SINKS)
            sinks = NULL;
        else if (cp->sinks)
            sinks = CoTaskMemRealloc(cp->sinks, new_size * sizeof(*sinks));
        else
            sinks = CoTaskMemAlloc(new_size * sizeof(*sinks));
        if (!sinks)
        {
            LeaveCriticalSection(&cp->cs);
            IDispatch_Release(sink);
            return new_size > MAX_SINKS ? CONNECT_E_ADVISELIMIT : E_OUTOFMEMORY;
        }
        memset(sinks + cp->size, 0, (new_size - cp->size) * sizeof(*sinks));
        cp->sinks = sinks;
        cp->size = new_size;
    }
    cp->sinks[i].sink = sink;
    cp->sinks[i].cookie = *cookie = ++cp->last_cookie;
    cp->count++;
    cp->generation++;
    hr = S_OK;
    LeaveCriticalSection(&cp->cs);
    return hr;
}

static HRESULT WINAPI connection_point_Unadvise(IConnectionPoint *iface, DWORD cookie)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    IDispatch *sink = NULL;
    unsigned int i;

    TRACE("%p, %#lx.\n", cp, cookie);

    EnterCriticalSection(&cp->cs);
    for (i = 0; cookie && i < cp->size; i++)
    {
        if (cp->sinks[i].sink && cp->sinks[i].cookie == cookie)
        {
            sink = cp->sinks[i].sink;
            cp->sinks[i].sink = NULL;
            cp->sinks[i].cookie = 0;
            cp->count--;
            cp->generation++;
            break;
        }
    }
    LeaveCriticalSection(&cp->cs);

    if (!sink)
    {
        WARN("no connection %#lx\n", cookie);
        return CONNECT_E_NOCONNECTION;
    }
    IDispatch_Release(sink);
    return S_OK;
}

/* Under cp->cs: copies the live sinks to copy (room for cp->count), each
 * with a reference of its own; returns how many. */
static unsigned int copy_live_sinks(struct connection_point *cp, struct sink_entry *copy)
{
    unsigned int i, n = 0;

    for (i = 0; i < cp->size; i++)
    {
        if (!cp->sinks[i].sink) continue;
        copy[n] = cp->sinks[i];
        IDispatch_AddRef(copy[n].sink);
        n++;
    }
    return n;
}

/* Copies the live sinks, each with a reference, so that callers can use them
 * without the lock while sinks advise and unadvise. */
static HRESULT snapshot_sinks(struct connection_point *cp, struct sink_entry **ret, unsigned int *count)
{
    struct sink_entry *copy = NULL;
    unsigned int n;

    EnterCriticalSection(&cp->cs);
    if (cp->count && !(copy = CoTaskMemAlloc(cp->count * sizeof(*copy))))
    {
        LeaveCriticalSection(&cp->cs);
        return E_OUTOFMEMORY;
    }
    n = copy_live_sinks(cp, copy);
    LeaveCriticalSection(&cp->cs);
    *ret = copy;
    *count = n;
    return S_OK;
}

static void release_snapshot(struct sink_entry *sinks, unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++) IDispatch_Release(sinks[i].sink);
    CoTaskMemFree(sinks);
}

/* IEnumConnections and IEnumConnectionPoints have the same methods but for
 * the type of what Next hands out, so one enumerator serves both, as ole32's
 * enumx.c does for its enumerators: only the kind differs. */

struct enumerator;

struct enumerator_kind
{
    struct object_interface interfaces[2];
    /* Stores item index, with a reference, in slot n of Next's array. */
    void (*get)(const struct enumerator *enumerator, unsigned int index, void *array, ULONG n);
    /* The items for a clone, and letting go of them; NULL when the
     * enumerators share them (the container's points). */
    HRESULT (*copy)(const struct enumerator *enumerator, void **items);
    void (*release)(void *items, unsigned int count);
};

struct enumerator
{
    IUnknown IEnum_iface;       /* the IEnumConnections or IEnumConnectionPoints */
    struct com_object object;
    const struct enumerator_kind *kind;
    void *items;
    unsigned int count;
    unsigned int pos;
    IConnectionPointContainer *container;   /* IEnumConnectionPoints: keeps the points alive */
};

static inline struct enumerator *impl_from_enum(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct enumerator, IEnum_iface);
}

FORWARD_IUNKNOWN_METHODS(enumerator, IUnknown, &impl_from_enum(iface)->object.IUnknown_iface)

static void enumerator_final_release(struct com_object *object)
{
    struct enumerator *enumerator = CONTAINING_RECORD(object, struct enumerator, object);

    if (enumerator->kind->release) enumerator->kind->release(enumerator->items, enumerator->count);
    if (enumerator->container) IConnectionPointContainer_Release(enumerator->container);
    CoTaskMemFree(enumerator);
    unlock_module();
}

static HRESULT WINAPI enumerator_Next(IUnknown *iface, ULONG count, void *array, ULONG *fetched)
{
    struct enumerator *enumerator = impl_from_enum(iface);
    ULONG n = 0;

    TRACE("%p, %lu, %p, %p.\n", enumerator, count, array, fetched);

    if (!array || (count > 1 && !fetched)) return E_POINTER;
    while (n < count && enumerator->pos < enumerator->count)
        enumerator->kind->get(enumerator, enumerator->pos++, array, n++);
    if (fetched) *fetched = n;
    return n == count ? S_OK : S_FALSE;
}

static HRESULT WINAPI enumerator_Skip(IUnknown *iface, ULONG count)
{
    struct enumerator *enumerator = impl_from_enum(iface);

    TRACE("%p, %lu.\n", enumerator, count);

    if (count > enumerator->count - enumerator->pos)
    {
        enumerator->pos = enumerator->count;
        return S_FALSE;
    }
    enumerator->pos += count;
    return S_OK;
}

static HRESULT WINAPI enumerator_Reset(IUnknown *iface)
{
    struct enumerator *enumerator = impl_from_enum(iface);

    TRACE("%p.\n", enumerator);

    enumerator->pos = 0;
    return S_OK;
}

static const IEnumConnectionsVtbl enumerator_vtbl;

/* Takes ownership of items on success. */
static HRESULT enumerator_create(const struct enumerator_kind *kind, void *items, unsigned int count,
                                 IConnectionPointContainer *container, IUnknown **ret)
{
    struct enumerator *enumerator;

    *ret = NULL;
    if (!(enumerator = CoTaskMemAlloc(sizeof(*enumerator)))) return E_OUTOFMEMORY;
    enumerator->IEnum_iface.lpVtbl = (const IUnknownVtbl *)&enumerator_vtbl;
    com_object_init(&enumerator->object, enumerator, kind->interfaces, enumerator_final_release);
    enumerator->kind = kind;
    enumerator->items = items;
    enumerator->count = count;
    enumerator->pos = 0;
    if ((enumerator->container = container)) IConnectionPointContainer_AddRef(container);
    lock_module();
    *ret = &enumerator->IEnum_iface;
    return S_OK;
}

static HRESULT WINAPI enumerator_Clone(IUnknown *iface, IUnknown **ret)
{
    struct enumerator *enumerator = impl_from_enum(iface);
    void *items = enumerator->items;
    HRESULT hr;

    TRACE("%p, %p.\n", enumerator, ret);

    if (!ret) return E_POINTER;
    *ret = NULL;
    if (enumerator->kind->copy && FAILED(hr = enumerator->kind->copy(enumerator, &items))) return hr;
    if (FAILED(hr = enumerator_create(enumerator->kind, items, enumerator->count, enumerator->container, ret)))
    {
        if (enumerator->kind->release) enumerator->kind->release(items, enumerator->count);
    }
    else
        impl_from_enum(*ret)->pos = enumerator->pos;
    return hr;
}

/* IEnumConnectionPointsVtbl has the same layout. */
static const IEnumConnectionsVtbl enumerator_vtbl =
{
    (void *)enumerator_QueryInterface,
    (void *)enumerator_AddRef,
    (void *)enumerator_Release,
    (void *)enumerator_Next,
    (void *)enumerator_Skip,
    (void *)enumerator_Reset,
    (void *)enumerator_Clone,
};

/* IEnumConnections, over a copy of the sinks */

static void get_connection(const struct enumerator *enumerator, unsigned int index, void *array, ULONG n)
{
    const struct sink_entry *sinks = enumerator->items;
    CONNECTDATA *data = array;

    data[n].pUnk = (IUnknown *)sinks[index].sink;
    IUnknown_AddRef(data[n].pUnk);
    data[n].dwCookie = sinks[index].cookie;
}

static HRESULT copy_connections(const struct enumerator *enumerator, void **items)
{
    const struct sink_entry *sinks = enumerator->items;
    struct sink_entry *copy = NULL;
    unsigned int i;

    if (enumerator->count && !(copy = CoTaskMemAlloc(enumerator->count * sizeof(*copy)))) return E_OUTOFMEMORY;
    for (i = 0; i < enumerator->count; i++)
    {
        copy[i] = sinks[i];
        IDispatch_AddRef(copy[i].sink);
    }
    *items = copy;
    return S_OK;
}

static void release_connections(void *items, unsigned int count)
{
    release_snapshot(items, count);
}

static const struct enumerator_kind enum_connections_kind =
{
    { { &IID_IEnumConnections, offsetof(struct enumerator, IEnum_iface) } },
    get_connection,
    copy_connections,
    release_connections,
};

static HRESULT WINAPI connection_point_EnumConnections(IConnectionPoint *iface, IEnumConnections **ret)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    struct sink_entry *sinks;
    unsigned int count;
    HRESULT hr;

    TRACE("%p, %p.\n", cp, ret);

    if (!ret) return E_POINTER;
    *ret = NULL;
    if (FAILED(hr = snapshot_sinks(cp, &sinks, &count))) return hr;
    if (FAILED(hr = enumerator_create(&enum_connections_kind, sinks, count, NULL, (IUnknown **)ret)))
        release_snapshot(sinks, count);
    return hr;
}

static const IConnectionPointVtbl connection_point_vtbl =
{
    connection_point_QueryInterface,
    connection_point_AddRef,
    connection_point_Release,
    connection_point_GetConnectionInterface,
    connection_point_GetConnectionPointContainer,
    connection_point_Advise,
    connection_point_Unadvise,
    connection_point_EnumConnections,
};

void connection_point_unadvise_all(struct connection_point *cp)
{
    struct sink_entry *sinks;
    unsigned int i, size;

    EnterCriticalSection(&cp->cs);
    sinks = cp->sinks;
    size = cp->size;
    cp->sinks = NULL;
    cp->size = cp->count = 0;
    cp->generation++;
    LeaveCriticalSection(&cp->cs);
    /* Outside the lock: a sink's Release may call back. */
    for (i = 0; i < size; i++)
        if (sinks[i].sink) IDispatch_Release(sinks[i].sink);
    CoTaskMemFree(sinks);
}

void connection_point_destroy(struct connection_point *cp)
{
    connection_point_unadvise_all(cp);
    DeleteCriticalSection(&cp->cs);
}

/* Calls every sink with the same arguments.  A sink that fails, or unadvises
 * itself or others, does not stop the rest; sinks advised during the call are
 * called from the next event on. */
static void invoke_sinks(struct sink_entry *sinks, unsigned int count, DISPID dispid, DISPPARAMS *params)
{
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < count; i++)
    {
        hr = IDispatch_Invoke(sinks[i].sink, dispid, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_METHOD,
                              params, NULL, NULL, NULL);
        if (FAILED(hr)) WARN("sink %p failed event %ld: %#lx\n", sinks[i].sink, dispid, hr);
    }
}

/* Another thread only ever reads a held_thread that is not its own. */
static BOOL sinks_held_here(struct connection_point *cp)
{
    return cp->held_thread == GetCurrentThreadId();
}

static void connection_point_hold_sinks(struct connection_point *cp)
{
    if (sinks_held_here(cp))
    {
        cp->held_depth++;
        return;
    }
    EnterCriticalSection(&cp->cs);
    /* One thread holds at a time; more sinks than fit are looked up per event. */
    if (!cp->held_thread && cp->count <= ARRAY_SIZE(cp->held))
    {
        cp->held_count = copy_live_sinks(cp, cp->held);
        cp->held_generation = cp->generation;
        cp->held_depth = 1;
        cp->held_thread = GetCurrentThreadId();
    }
    LeaveCriticalSection(&cp->cs);
}

static void connection_point_release_sinks(struct connection_point *cp)
{
    struct sink_entry held[ARRAY_SIZE(cp->held)];
    unsigned int i, count;

    if (!sinks_held_here(cp) || --cp->held_depth) return;
    EnterCriticalSection(&cp->cs);
    count = cp->held_count;
    memcpy(held, cp->held, count * sizeof(*held));
    cp->held_count = 0;
    cp->held_thread = 0;
    LeaveCriticalSection(&cp->cs);
    /* Outside the lock: a sink's Release may call back. */
    for (i = 0; i < count; i++) IDispatch_Release(held[i].sink);
}

HRESULT connection_point_fire(struct connection_point *cp, DISPID dispid, DISPPARAMS *params)
{
    struct sink_entry local[8], *sinks = local;
    unsigned int i, count = 0;
    HRESULT hr;

    /* Within a burst, unless a sink came or went since it began. */
    if (sinks_held_here(cp) && cp->held_generation == cp->generation)
    {
        invoke_sinks(cp->held, cp->held_count, dispid, params);
        return S_OK;
    }

    /* A few sinks are copied on the stack: every event saves an allocation. */
    EnterCriticalSection(&cp->cs);
    if (cp->count <= ARRAY_SIZE(local))
    {
        count = copy_live_sinks(cp, local);
        LeaveCriticalSection(&cp->cs);
    }
    else
    {
        LeaveCriticalSection(&cp->cs);
        if (FAILED(hr = snapshot_sinks(cp, &sinks, &count)))
        {
            ERR("cannot copy the sink list: %#lx\n", hr);
            return hr;
        }
    }
    invoke_sinks(sinks, count, dispid, params);
    for (i = 0; i < count; i++) IDispatch_Release(sinks[i].sink);
    if (sinks != local) CoTaskMemFree(sinks);
    return S_OK;
}

/* IEnumConnectionPoints over a container's points. */

static void get_point(const struct enumerator *enumerator, unsigned int index, void *array, ULONG n)
{
    struct connection_point *points = enumerator->items;
    IConnectionPoint **out = array;

    out[n] = &points[index].IConnectionPoint_iface;
    IConnectionPoint_AddRef(out[n]);
}

/* The points live in the container, which each enumerator keeps. */
static const struct enumerator_kind enum_points_kind =
{
    { { &IID_IEnumConnectionPoints, offsetof(struct enumerator, IEnum_iface) } },
    get_point,
    NULL,
    NULL,
};

HRESULT create_enum_connection_points(IConnectionPointContainer *container, struct connection_point *points,
                                      unsigned int count, IEnumConnectionPoints **ret)
{
    return enumerator_create(&enum_points_kind, points, count, container, (IUnknown **)ret);
}

/* IConnectionPointContainer, one for every object with events */

static inline struct event_source *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct event_source, IConnectionPointContainer_iface);
}

FORWARD_IUNKNOWN_METHODS(container, IConnectionPointContainer, impl_from_IConnectionPointContainer(iface)->outer)

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface,
                                                     IEnumConnectionPoints **ret)
{
    struct event_source *source = impl_from_IConnectionPointContainer(iface);

    TRACE("%p, %p.\n", source, ret);

    if (!ret) return E_POINTER;
    /* The enumerator keeps the container, and so its point, alive. */
    return create_enum_connection_points(iface, &source->point, 1, ret);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **point)
{
    struct event_source *source = impl_from_IConnectionPointContainer(iface);

    TRACE("%p, %s, %p.\n", source, debugstr_guid(riid), point);

    if (!riid || !point) return E_POINTER;
    if (IsEqualGUID(riid, source->point.iid))
    {
        *point = &source->point.IConnectionPoint_iface;
        IConnectionPoint_AddRef(*point);
        return S_OK;
    }

    WARN("no connection point %s\n", debugstr_guid(riid));
    *point = NULL;
    return CONNECT_E_NOCONNECTION;
}

static const IConnectionPointContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_EnumConnectionPoints,
    container_FindConnectionPoint,
};

void event_source_init(struct event_source *source, IUnknown *outer, REFIID iid)
{
    struct connection_point *cp = &source->point;

    source->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    source->outer = outer;
    cp->IConnectionPoint_iface.lpVtbl = &connection_point_vtbl;
    cp->container = &source->IConnectionPointContainer_iface;
    cp->iid = iid;
    cp->sinks = NULL;
    cp->size = cp->count = 0;
    cp->last_cookie = 0;
    cp->generation = 0;
    cp->held_thread = 0;
    cp->held_depth = 0;
    cp->held_count = 0;
    InitializeCriticalSection(&cp->cs);
}

void event_source_fire(struct event_source *source, DISPID dispid, VARIANT *args, unsigned int count)
{
    DISPPARAMS params = { args, NULL, count, 0 };

    connection_point_fire(&source->point, dispid, &params);
}

void event_source_hold_sinks(struct event_source *source)
{
    connection_point_hold_sinks(&source->point);
}

void event_source_release_sinks(struct event_source *source)
{
    connection_point_release_sinks(&source->point);
}

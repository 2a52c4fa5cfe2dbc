/*
 * Test helper: a dispinterface sink that hands each event to a function
 * (shared by the rendezvoussession and msgsc tests)
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

#ifndef __EVENT_SINK_TEST_H
#define __EVENT_SINK_TEST_H

/* IDispatch for a DIID, refcounted but never freed (it lives in the test),
 * with no type information: events come by DISPID to on_event. */
struct event_sink
{
    IDispatch IDispatch_iface;
    LONG refcount;
    const IID *diid;
    void (*on_event)(struct event_sink *sink, DISPID id, DISPPARAMS *params);
};

static inline struct event_sink *event_sink_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct event_sink, IDispatch_iface);
}

static HRESULT WINAPI event_sink_QueryInterface(IDispatch *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDispatch) ||
        IsEqualGUID(riid, event_sink_from_IDispatch(iface)->diid))
    {
        *obj = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI event_sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&event_sink_from_IDispatch(iface)->refcount);
}

static ULONG WINAPI event_sink_Release(IDispatch *iface)
{
    return InterlockedDecrement(&event_sink_from_IDispatch(iface)->refcount);
}

static HRESULT WINAPI event_sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI event_sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI event_sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                               LCID lcid, DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

static HRESULT WINAPI event_sink_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                        DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *argerr)
{
    struct event_sink *sink = event_sink_from_IDispatch(iface);

    sink->on_event(sink, id, params);
    return S_OK;
}

static const IDispatchVtbl event_sink_vtbl =
{
    event_sink_QueryInterface,
    event_sink_AddRef,
    event_sink_Release,
    event_sink_GetTypeInfoCount,
    event_sink_GetTypeInfo,
    event_sink_GetIDsOfNames,
    event_sink_Invoke,
};

static inline void event_sink_init(struct event_sink *sink, const IID *diid,
                                   void (*on_event)(struct event_sink *sink, DISPID id, DISPPARAMS *params))
{
    sink->IDispatch_iface.lpVtbl = &event_sink_vtbl;
    sink->refcount = 1;
    sink->diid = diid;
    sink->on_event = on_event;
}

#endif /* __EVENT_SINK_TEST_H */

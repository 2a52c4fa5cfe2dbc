/*
 * A detachable sink for another object's dispinterface events
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

#ifndef __RENDEZVOUS_SINK_H
#define __RENDEZVOUS_SINK_H

#include "object.h"

/*
 * What an object advises on another object's connection point.  The other
 * object may keep the sink and call it, from any thread, after our object let
 * go of it: the owner detaches the sink first, and later events reach no one.
 */
struct event_sink;

struct event_sink_ops
{
    /* One event, riid already checked; the arguments are the IDispatch::Invoke's. */
    HRESULT (*invoke)(struct event_sink *sink, DISPID id, WORD flags, DISPPARAMS *params, VARIANT *result,
                      UINT *argerr);
    /* Under the sinks' lock, while attached: keeps owner through one event; FALSE when it cannot. */
    BOOL (*hold)(void *owner, void *context);
    /* The sink's last Release came while still attached; NULL for owners that always detach first. */
    void (*orphaned)(void *owner, struct event_sink *sink);
};

struct event_sink
{
    IDispatch IDispatch_iface;
    struct com_object object;
    struct object_interface interfaces[3];  /* IDispatch, the dispinterface */
    struct typeinfo_cache *typeinfo;
    unsigned int tid;                   /* the dispinterface's type information */
    const struct event_sink_ops *ops;
    void *owner;                        /* under the sinks' lock; NULL once detached */
};

HRESULT event_sink_create(const IID *iid, struct typeinfo_cache *typeinfo, unsigned int tid,
                          const struct event_sink_ops *ops, void *owner, struct event_sink **ret);
/* The owner, kept by ops->hold(owner, context) through one event; NULL once
 * detached, or when hold failed. */
void *event_sink_hold_owner(struct event_sink *sink, void *context);
/* Takes the owner away and returns it (NULL if it already went). */
void *event_sink_detach(struct event_sink *sink);

#endif /* __RENDEZVOUS_SINK_H */

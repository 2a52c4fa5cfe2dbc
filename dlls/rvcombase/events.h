/*
 * Connection points, shared by rendezvoussession.dll and msgsc.dll
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

#ifndef __RENDEZVOUS_EVENTS_H
#define __RENDEZVOUS_EVENTS_H

/* A connection point for one dispinterface, embedded in its container. */
#define MAX_SINKS 1024

struct sink_entry
{
    IDispatch *sink;
    DWORD cookie;
};

struct connection_point
{
    IConnectionPoint IConnectionPoint_iface;
    IConnectionPointContainer *container;
    const IID *iid;
    CRITICAL_SECTION cs;
    struct sink_entry *sinks;
    unsigned int size;
    unsigned int count;
    DWORD last_cookie;
    LONG volatile generation;       /* changes with every Advise and Unadvise */
    /* The sinks as they were when a burst of events began on held_thread: */
    DWORD volatile held_thread;
    unsigned int held_depth;
    LONG held_generation;
    unsigned int held_count;
    struct sink_entry held[4];
};

/* Lets go of every sink; the point stays usable (its events reach no one). */
void connection_point_unadvise_all(struct connection_point *cp);
void connection_point_destroy(struct connection_point *cp);
HRESULT connection_point_fire(struct connection_point *cp, DISPID dispid, DISPPARAMS *params);
/* points, an array of count, belong to container, which the enumerator keeps alive. */
HRESULT create_enum_connection_points(IConnectionPointContainer *container, struct connection_point *points,
                                      unsigned int count, IEnumConnectionPoints **ret);

/* What an object with events embeds: IConnectionPointContainer, answered for
 * outer (QueryInterface, AddRef and Release go there), with its point. */
struct event_source
{
    IConnectionPointContainer IConnectionPointContainer_iface;
    IUnknown *outer;
    struct connection_point point;
};

void event_source_init(struct event_source *source, IUnknown *outer, REFIID iid);
/* Fires one dispinterface event to every sink, args in rgvarg order (the last parameter first). */
void event_source_fire(struct event_source *source, DISPID dispid, VARIANT *args, unsigned int count);
/* Around a burst of events fired on this thread: the sinks are looked up once for all
 * of them, while no Advise or Unadvise changes them.  Nests. */
void event_source_hold_sinks(struct event_source *source);
void event_source_release_sinks(struct event_source *source);

#endif /* __RENDEZVOUS_EVENTS_H */

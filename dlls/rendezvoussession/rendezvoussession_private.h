/*
 * rendezvoussession.dll private definitions
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

#ifndef __RENDEZVOUSSESSION_PRIVATE_H
#define __RENDEZVOUSSESSION_PRIVATE_H

#include "rendezvoussession.h"
#include "winerendezvous.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

extern HINSTANCE rendezvous_instance;

/* Live objects and IClassFactory::LockServer locks, for DllCanUnloadNow. */
void lock_module(void);
void unlock_module(void);

/* Type information for IDispatch on our dual interfaces (WineRendezvousLib). */
enum type_id
{
    IRendezvousSessionHost_tid,
    LAST_tid
};

HRESULT get_typeinfo(enum type_id tid, ITypeInfo **typeinfo);
void release_typelib(void);

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
};

void connection_point_init(struct connection_point *cp, IConnectionPointContainer *container, REFIID iid);
void connection_point_destroy(struct connection_point *cp);
HRESULT connection_point_fire(struct connection_point *cp, DISPID dispid, DISPPARAMS *params);
HRESULT create_enum_connection_points(IConnectionPointContainer *container, IConnectionPoint **points,
                                      unsigned int count, IEnumConnectionPoints **ret);

HRESULT rendezvous_session_create(REFIID riid, void **obj);
void rendezvous_session_unregister_class(void);

#endif /* __RENDEZVOUSSESSION_PRIVATE_H */

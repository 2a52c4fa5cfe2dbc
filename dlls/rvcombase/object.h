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

#ifndef __RENDEZVOUS_OBJECT_H
#define __RENDEZVOUS_OBJECT_H

#include <stddef.h>

/* An interface the object answers for, at offset bytes from the object. */
struct object_interface
{
    const IID *iid;
    size_t offset;
};

/*
 * What every object embeds: an IUnknown that answers QueryInterface from the
 * table (IID_IUnknown is the first entry's interface; the table ends with
 * { NULL }) and counts the object's references.  Each interface of the object
 * forwards its IUnknown methods to it with FORWARD_IUNKNOWN_METHODS; the last
 * Release calls final_release, which frees the object.
 */
struct com_object
{
    IUnknown IUnknown_iface;
    LONG refcount;
    void *base;             /* what the table's offsets count from */
    const struct object_interface *interfaces;
    void (*final_release)(struct com_object *object);
};

/* QueryInterface over such a table, for objects that count their references elsewhere. */
HRESULT object_query_interface(void *base, const struct object_interface *interfaces, REFIID riid, void **obj);

/* The count starts at 1. */
void com_object_init(struct com_object *object, void *base, const struct object_interface *interfaces,
                     void (*final_release)(struct com_object *object));

#endif /* __RENDEZVOUS_OBJECT_H */

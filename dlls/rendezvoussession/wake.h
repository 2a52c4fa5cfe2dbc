/*
 * Event delivery to the apartment of a COM object, shared by rendezvoussession.dll and msgsc.dll
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

#ifndef __RENDEZVOUS_WAKE_H
#define __RENDEZVOUS_WAKE_H

#include "rendezvous.h"

/*
 * A COM object over a core session embeds one.  The core calls its wake
 * callback from any thread; wake_target_signal then has dispatch() run where
 * COM wants the object's events: on the creating thread of an STA object
 * (through one message-only window per thread), on thread-pool threads that
 * join the MTA otherwise.  Wakes name the object by (slot, seq) in a table,
 * never by pointer, so that a wake still queued when the object is gone finds
 * nothing; while dispatch() runs, the object holds a reference taken from
 * its own refcount, and only while that count was above zero.
 */
struct wake_target
{
    IUnknown *object;                               /* released after dispatch() */
    LONG *refcount;                                 /* the object's reference count */
    void (*dispatch)(struct wake_target *target);
    HWND window;                                    /* NULL: MTA, the thread pool */
    unsigned int slot;
    unsigned int seq;
    /* STA only: the connected session's socket reports to the window, and its
     * data is read on the thread, instead of a wake from the I/O thread after
     * it read the data (one thread hop less). */
    struct rv_session *core;
    UINT_PTR socket;
};

/* Picks the apartment's way and enters the table; E_OUTOFMEMORY or a window error. */
HRESULT wake_target_init(struct wake_target *target, IUnknown *object, LONG *refcount,
                         void (*dispatch)(struct wake_target *target));
/* Leaves the table: no later wake reaches the object.  Call first when destroying it. */
void wake_target_remove(struct wake_target *target);
/* For the core's wake callback, from any thread. */
void wake_target_signal(struct wake_target *target);
/* Whether the calling thread may dispatch now (the STA's own thread, or any MTA thread). */
BOOL wake_target_is_current(const struct wake_target *target);
/* From a core session's state handler: in an STA, the connected session's
 * socket is read on the thread whenever it is readable (else the wakes do). */
void wake_target_follow_session(struct wake_target *target, struct rv_session *core, enum rv_state state);
/* At DLL unload. */
void wake_unregister_class(void);

#endif /* __RENDEZVOUS_WAKE_H */

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
 * Work that runs on an object outside its client's calls (event dispatch on a
 * pool thread or a window message, a sink called by another object) keeps the
 * object's memory through this internal count, never through its COM
 * reference count.  So the client's last Release always returns 0, and before
 * it returns it waits for such work on other threads (bounded) and then lets
 * go of everything the client gave the object; the memory goes with the last
 * work.  This is the shape of Wine's objects with worker threads.
 */
struct work_guard
{
    LONG internal;          /* 1 until the client's last Release, + 1 per work in flight */
    LONG active;            /* work in flight, on any thread */
    BOOL closed;            /* the client's last Release came: no new work */
    LONG closer_frames;     /* the closer's own work frames, while it waits */
    HANDLE idle;            /* set when only the closer's own work is left */
    void (*free)(struct work_guard *guard);    /* the last internal reference went */
};

/* One piece of work on the calling thread, kept on its stack. */
struct work_frame
{
    struct work_guard *guard;
    struct work_frame *next;
};

/* How long a last Release waits for other threads' work. */
#define WORK_GUARD_CLOSE_TIMEOUT 5000

void work_guard_init(struct work_guard *guard, void (*free)(struct work_guard *guard));
/* Starts work on this thread: FALSE, and nothing to leave, once the guard is closed. */
BOOL work_guard_enter(struct work_guard *guard, struct work_frame *frame);
/* Ends it; may free the object. */
void work_guard_leave(struct work_frame *frame);
/* At the client's last Release: no new work starts, and this waits until the
 * work of other threads has ended (pumping COM calls in an STA).  TRUE when it
 * did; FALSE when WORK_GUARD_CLOSE_TIMEOUT passed first. */
BOOL work_guard_close(struct work_guard *guard);
/* Drops the client's internal reference, after what close allowed is done. */
void work_guard_release(struct work_guard *guard);

/*
 * A COM object over a core session embeds one.  The core calls its wake
 * callback from any thread; wake_target_signal then has dispatch() run where
 * COM wants the object's events: on the creating thread of an STA object
 * (through one message-only window per thread), on thread-pool threads that
 * join the MTA otherwise.  Wakes name the object by (slot, seq) in a table,
 * never by pointer, so that a wake still queued when the object is gone finds
 * nothing; every dispatch() is work of the object's guard.
 */
struct wake_target
{
    struct work_guard *guard;                       /* the object's */
    void (*dispatch)(struct wake_target *target);
    DWORD sta_thread;                               /* the STA's thread; 0: MTA, the thread pool */
    HWND window;                                    /* STA: the thread's window, once a wake needed it */
    unsigned int slot;
    unsigned int seq;
    /* STA only: the connected session's socket reports to the window, and its
     * data is read on the thread, instead of a wake from the I/O thread after
     * it read the data (one thread hop less). */
    struct rv_session *core;
    UINT_PTR socket;
};

/* Picks the apartment's way and enters the table; E_OUTOFMEMORY.  In an STA the
 * thread's window is made by the first wake, on the thread: an object only
 * created costs no window (about a millisecond under Wine). */
HRESULT wake_target_init(struct wake_target *target, struct work_guard *guard,
                         void (*dispatch)(struct wake_target *target));
/* Leaves the table: no later wake reaches the object.  Call when closing its guard. */
void wake_target_remove(struct wake_target *target);
/* For the core's wake callback, from any thread. */
void wake_target_signal(struct wake_target *target);
/* Runs dispatch() now when the calling thread may (the STA's own thread, or
 * any MTA thread), so that a call's events come before it returns. */
void wake_target_dispatch_here(struct wake_target *target);
/* From a core session's state handler: in an STA, the connected session's
 * socket is read on the thread whenever it is readable (else the wakes do). */
void wake_target_follow_session(struct wake_target *target, struct rv_session *core, enum rv_state state);
/* At DLL unload. */
void wake_unregister_class(void);

#endif /* __RENDEZVOUS_WAKE_H */

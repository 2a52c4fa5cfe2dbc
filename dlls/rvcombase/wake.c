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

#define COBJMACROS

#include <winsock2.h>
#include <windows.h>
#include <ole2.h>

#include "wake.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

#define WM_WAKE_DISPATCH (WM_APP + 0x52)
#define WM_WAKE_INPUT    (WM_APP + 0x53)

static CRITICAL_SECTION table_cs;
static CRITICAL_SECTION_DEBUG table_cs_debug =
{
    0, 0, &table_cs,
    { &table_cs_debug.ProcessLocksList, &table_cs_debug.ProcessLocksList },
};
static CRITICAL_SECTION table_cs = { &table_cs_debug, -1, 0, 0, 0, 0 };

/* Work guards */

static CRITICAL_SECTION guard_cs;
static CRITICAL_SECTION_DEBUG guard_cs_debug =
{
    0, 0, &guard_cs,
    { &guard_cs_debug.ProcessLocksList, &guard_cs_debug.ProcessLocksList },
};
static CRITICAL_SECTION guard_cs = { &guard_cs_debug, -1, 0, 0, 0, 0 };

/* Each thread's work frames, innermost first. */
static DWORD frame_tls = TLS_OUT_OF_INDEXES;

static BOOL CALLBACK init_frame_tls(INIT_ONCE *once, void *param, void **context)
{
    frame_tls = TlsAlloc();
    return frame_tls != TLS_OUT_OF_INDEXES;
}

static BOOL frames_ready(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    return InitOnceExecuteOnce(&once, init_frame_tls, NULL, NULL);
}

void work_guard_init(struct work_guard *guard, void (*free)(struct work_guard *guard))
{
    guard->internal = 1;
    guard->active = 0;
    guard->closed = FALSE;
    guard->closer_frames = 0;
    guard->idle = NULL;
    guard->free = free;
}

BOOL work_guard_enter(struct work_guard *guard, struct work_frame *frame)
{
    if (!frames_ready()) return FALSE;
    EnterCriticalSection(&guard_cs);
    if (guard->closed)
    {
        LeaveCriticalSection(&guard_cs);
        return FALSE;
    }
    guard->active++;
    InterlockedIncrement(&guard->internal);
    LeaveCriticalSection(&guard_cs);
    frame->guard = guard;
    frame->next = TlsGetValue(frame_tls);
    TlsSetValue(frame_tls, frame);
    return TRUE;
}

void work_guard_release(struct work_guard *guard)
{
    if (InterlockedDecrement(&guard->internal)) return;
    if (guard->idle) CloseHandle(guard->idle);
    guard->free(guard);
}

void work_guard_leave(struct work_frame *frame)
{
    struct work_guard *guard = frame->guard;

    TlsSetValue(frame_tls, frame->next);
    EnterCriticalSection(&guard_cs);
    guard->active--;
    if (guard->idle && guard->active <= guard->closer_frames) SetEvent(guard->idle);
    LeaveCriticalSection(&guard_cs);
    work_guard_release(guard);
}

static LONG own_frames(struct work_guard *guard)
{
    struct work_frame *frame;
    LONG count = 0;

    for (frame = TlsGetValue(frame_tls); frame; frame = frame->next)
        if (frame->guard == guard) count++;
    return count;
}

/* An STA keeps serving incoming COM calls while it waits: the work it waits
 * for may be a call into this very apartment. */
static DWORD wait_idle(HANDLE idle, DWORD timeout)
{
    APTTYPEQUALIFIER qualifier;
    APTTYPE type;
    DWORD index;

    if (SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && (type == APTTYPE_STA || type == APTTYPE_MAINSTA))
        return CoWaitForMultipleHandles(0, timeout, 1, &idle, &index) == S_OK ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
    return WaitForSingleObject(idle, timeout);
}

BOOL work_guard_close(struct work_guard *guard)
{
    DWORD start = GetTickCount(), elapsed;
    BOOL idle;

    if (!frames_ready()) return FALSE;
    EnterCriticalSection(&guard_cs);
    guard->closed = TRUE;
    guard->closer_frames = own_frames(guard);
    if (guard->active > guard->closer_frames)
        TRACE("%p waits for %ld work(s) on other threads\n", guard, guard->active - guard->closer_frames);
    while (!(idle = guard->active <= guard->closer_frames))
    {
        if (!guard->idle && !(guard->idle = CreateEventW(NULL, TRUE, FALSE, NULL))) break;
        ResetEvent(guard->idle);
        LeaveCriticalSection(&guard_cs);
        elapsed = GetTickCount() - start;
        if (elapsed >= WORK_GUARD_CLOSE_TIMEOUT ||
            wait_idle(guard->idle, WORK_GUARD_CLOSE_TIMEOUT - elapsed) != WAIT_OBJECT_0)
        {
            EnterCriticalSection(&guard_cs);
            idle = guard->active <= guard->closer_frames;
            break;
        }
        EnterCriticalSection(&guard_cs);
    }
    LeaveCriticalSection(&guard_cs);
    if (!idle) ERR("work on another thread goes on after %u ms; the object ends with it\n",
                   WORK_GUARD_CLOSE_TIMEOUT);
    return idle;
}

/* Wake targets */

struct table_slot
{
    struct wake_target *target;
    unsigned int seq;
};

static struct table_slot *table;
static unsigned int table_size;
/* (slot, seq) must fit the thread pool's single pointer of context. */
#define TABLE_MAX (sizeof(void *) == 8 ? 0x100000 : 0x10000)
#define SEQ_MASK  (sizeof(void *) == 8 ? 0xffffffffu : 0xffffu)

static HRESULT table_add(struct wake_target *target)
{
    unsigned int i;

    EnterCriticalSection(&table_cs);
    for (i = 0; i < table_size; i++)
        if (!table[i].target) break;
    if (i == table_size)
    {
        unsigned int new_size = table_size ? table_size * 2 : 16;
        struct table_slot *new_table;

        /* Not CoTaskMemRealloc(NULL, n): Wine 8 miscounts it under an IMallocSpy. */
        if (new_size > TABLE_MAX) new_table = NULL;
        else if (table) new_table = CoTaskMemRealloc(table, new_size * sizeof(*table));
        else new_table = CoTaskMemAlloc(new_size * sizeof(*table));
        if (!new_table)
        {
            LeaveCriticalSection(&table_cs);
            return E_OUTOFMEMORY;
        }
        memset(new_table + table_size, 0, (new_size - table_size) * sizeof(*table));
        table = new_table;
        table_size = new_size;
    }
    table[i].target = target;
    table[i].seq = (table[i].seq + 1) & SEQ_MASK;
    target->slot = i;
    target->seq = table[i].seq;
    LeaveCriticalSection(&table_cs);
    return S_OK;
}

void wake_target_remove(struct wake_target *target)
{
    EnterCriticalSection(&table_cs);
    if (target->slot < table_size && table[target->slot].target == target) table[target->slot].target = NULL;
    LeaveCriticalSection(&table_cs);
}

/* table_cs held: the target in slot, with its work entered, or NULL once
 * the object's guard is closed. */
static struct wake_target *table_enter(unsigned int slot, struct work_frame *frame)
{
    struct wake_target *target = table[slot].target;
    return work_guard_enter(target->guard, frame) ? target : NULL;
}

static struct wake_target *table_get(unsigned int slot, unsigned int seq, struct work_frame *frame)
{
    struct wake_target *target = NULL;

    EnterCriticalSection(&table_cs);
    if (slot < table_size && table[slot].target && table[slot].seq == seq) target = table_enter(slot, frame);
    LeaveCriticalSection(&table_cs);
    return target;
}

/* The watcher of a socket, with its work entered; a stale message (the
 * socket closed, its handle maybe reused) finds no one, or a target that
 * reads nothing. */
static struct wake_target *table_find_socket(UINT_PTR socket, struct work_frame *frame)
{
    struct wake_target *target = NULL;
    unsigned int i;

    EnterCriticalSection(&table_cs);
    for (i = 0; i < table_size && !target; i++)
        if (table[i].target && table[i].target->socket == socket) target = table_enter(i, frame);
    LeaveCriticalSection(&table_cs);
    return target;
}

static void dispatch_handle(unsigned int slot, unsigned int seq)
{
    struct wake_target *target;
    struct work_frame frame;

    if (!(target = table_get(slot, seq, &frame))) return;
    target->dispatch(target);
    work_guard_leave(&frame);
}

static LRESULT CALLBACK dispatch_wndproc(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    struct wake_target *target;
    struct work_frame frame;

    if (msg == WM_WAKE_DISPATCH)
    {
        dispatch_handle(wparam, lparam);
        return 0;
    }
    if (msg == WM_WAKE_INPUT)
    {
        if ((target = table_find_socket(wparam, &frame)))
        {
            /* Read on this thread, then fire at once. */
            rv_session_socket_event(target->core, wparam, lparam);
            target->dispatch(target);
            work_guard_leave(&frame);
        }
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

static void CALLBACK mta_dispatch_callback(PTP_CALLBACK_INSTANCE instance, void *context)
{
    ULONG_PTR handle = (ULONG_PTR)context;
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    if (sizeof(void *) == 8) dispatch_handle(handle & 0xffffffff, (ULONG64)handle >> 32);
    else dispatch_handle(handle & 0xffff, handle >> 16);
    if (SUCCEEDED(hr)) CoUninitialize();
}

static HRESULT get_thread_window(HWND *ret);

/* STA: the window of the object's thread, made there when first needed.  Only
 * that thread writes it; the first wake of a session always comes from a call
 * the owner makes, which in an STA is made on the object's thread.  A wake
 * from the I/O thread that still finds no window loses nothing: the thread's
 * own wake, posted once the window is there, dispatches after it. */
static HWND target_window(struct wake_target *target)
{
    HWND window = InterlockedCompareExchangePointer((void **)&target->window, NULL, NULL);

    if (window || GetCurrentThreadId() != target->sta_thread) return window;
    if (FAILED(get_thread_window(&window))) return NULL;
    InterlockedExchangePointer((void **)&target->window, window);
    return window;
}

void wake_target_signal(struct wake_target *target)
{
    ULONG_PTR handle;
    HWND window;

    if (target->sta_thread)
    {
        /* Without a window (a call from another thread came first) the
         * object's next call on its own thread dispatches what is waiting. */
        if (!(window = target_window(target)))
            WARN("no window on the object's thread yet\n");
        else if (!PostMessageW(window, WM_WAKE_DISPATCH, target->slot, target->seq))
            WARN("the object's thread is gone: %lu\n", GetLastError());
        return;
    }
    if (sizeof(void *) == 8) handle = ((ULONG_PTR)target->seq << 16 << 16) | target->slot;
    else handle = (target->seq << 16) | target->slot;
    if (!TrySubmitThreadpoolCallback(mta_dispatch_callback, (void *)handle, NULL))
        ERR("cannot queue the events: %lu\n", GetLastError());
}

/* Each module that compiles this file registers its own class. */
static HINSTANCE this_module(void)
{
    HMODULE module = NULL;

    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       (const WCHAR *)this_module, &module);
    return module;
}

static ATOM window_class;
static DWORD window_tls = TLS_OUT_OF_INDEXES;

static BOOL CALLBACK init_window_class(INIT_ONCE *once, void *param, void **context)
{
    WNDCLASSW wc = {0};

    wc.lpfnWndProc = dispatch_wndproc;
    wc.hInstance = this_module();
    wc.lpszClassName = L"WineRendezvousDispatch";
    window_class = RegisterClassW(&wc);
    window_tls = TlsAlloc();
    return window_class && window_tls != TLS_OUT_OF_INDEXES;
}

/* One message-only window per STA thread carries the wakes of all its objects. */
static HRESULT get_thread_window(HWND *ret)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    HWND hwnd;

    if (!InitOnceExecuteOnce(&once, init_window_class, NULL, NULL)) return E_FAIL;
    if (!(hwnd = TlsGetValue(window_tls)) || !IsWindow(hwnd))
    {
        if (!(hwnd = CreateWindowExW(0, L"WineRendezvousDispatch", NULL, 0, 0, 0, 0, 0,
                                     HWND_MESSAGE, NULL, this_module(), NULL)))
            return HRESULT_FROM_WIN32(GetLastError());
        TlsSetValue(window_tls, hwnd);
    }
    *ret = hwnd;
    return S_OK;
}

void wake_unregister_class(void)
{
    if (window_class) UnregisterClassW(L"WineRendezvousDispatch", this_module());
    if (window_tls != TLS_OUT_OF_INDEXES) TlsFree(window_tls);
}

HRESULT wake_target_init(struct wake_target *target, struct work_guard *guard,
                         void (*dispatch)(struct wake_target *target))
{
    APTTYPEQUALIFIER qualifier;
    APTTYPE type;

    target->guard = guard;
    target->dispatch = dispatch;
    target->sta_thread = 0;
    target->window = NULL;
    target->core = NULL;
    target->socket = 0;
    /* An object made in an STA gets its events on that thread; otherwise on
     * thread-pool threads that join the MTA. */
    if (SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && (type == APTTYPE_STA || type == APTTYPE_MAINSTA))
        target->sta_thread = GetCurrentThreadId();
    return table_add(target);
}

void wake_target_dispatch_here(struct wake_target *target)
{
    struct work_frame frame;

    if (target->sta_thread && target->sta_thread != GetCurrentThreadId()) return;
    /* The client's call holds the object; the frame keeps it through a sink
     * that lets go of the client's last reference. */
    if (!work_guard_enter(target->guard, &frame)) return;
    target->dispatch(target);
    work_guard_leave(&frame);
}

static void wake_target_unwatch_socket(struct wake_target *target)
{
    EnterCriticalSection(&table_cs);
    target->socket = 0;
    LeaveCriticalSection(&table_cs);
}

/* STA: the socket reports to the window, on the object's thread; where it
 * cannot, the wakes go on as before. */
static void wake_target_watch_socket(struct wake_target *target, struct rv_session *core)
{
    HWND window = target_window(target);
    uintptr_t socket;

    if (!window || rv_session_route_socket(core, (uintptr_t)window, WM_WAKE_INPUT, &socket))
        return;
    EnterCriticalSection(&table_cs);
    target->core = core;
    target->socket = socket;
    LeaveCriticalSection(&table_cs);
    /* The first read takes the socket's input over from the I/O thread; it
     * comes at once, for what arrived before the route. */
    PostMessageW(window, WM_WAKE_INPUT, socket, WSAMAKESELECTREPLY(FD_READ, 0));
}

void wake_target_follow_session(struct wake_target *target, struct rv_session *core, enum rv_state state)
{
    if (state == RV_STATE_CONNECTED) wake_target_watch_socket(target, core);
    else if (state >= RV_STATE_CANCELLED) wake_target_unwatch_socket(target);
}

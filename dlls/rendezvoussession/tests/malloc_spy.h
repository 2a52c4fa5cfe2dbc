/*
 * Test helper: an IMallocSpy that fails the n-th task allocation of one thread
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

#ifndef __MALLOC_SPY_TEST_H
#define __MALLOC_SPY_TEST_H

/*
 * The DLLs allocate through COM's task allocator (CoTaskMemAlloc, SysAlloc*),
 * so a registered spy whose PreAlloc returns 0 makes an allocation fail, on
 * Wine as on Windows.  Freed BSTRs are cached unless SetOaNoCache was called.
 */
static struct
{
    IMallocSpy IMallocSpy_iface;
    DWORD thread;               /* whose allocations count */
    LONG fail_at;               /* 0: none fails */
    LONG allocations;
    LONG failed;
    LONG total_failed;          /* since registration */
} malloc_spy;

static HRESULT WINAPI malloc_spy_QueryInterface(IMallocSpy *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IMallocSpy))
    {
        *obj = iface;
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI malloc_spy_AddRef(IMallocSpy *iface) { return 2; }
static ULONG WINAPI malloc_spy_Release(IMallocSpy *iface) { return 1; }

static BOOL malloc_spy_fails_now(void)
{
    if (!malloc_spy.fail_at || GetCurrentThreadId() != malloc_spy.thread) return FALSE;
    if (InterlockedIncrement(&malloc_spy.allocations) != malloc_spy.fail_at) return FALSE;
    InterlockedIncrement(&malloc_spy.failed);
    InterlockedIncrement(&malloc_spy.total_failed);
    return TRUE;
}

static SIZE_T WINAPI malloc_spy_PreAlloc(IMallocSpy *iface, SIZE_T size)
{
    return malloc_spy_fails_now() ? 0 : size;
}

static SIZE_T WINAPI malloc_spy_PreRealloc(IMallocSpy *iface, void *ptr, SIZE_T size, void **new_ptr, BOOL spyed)
{
    *new_ptr = ptr;
    return malloc_spy_fails_now() ? 0 : size;
}

static void *WINAPI malloc_spy_PostAlloc(IMallocSpy *iface, void *ptr) { return ptr; }
static void *WINAPI malloc_spy_PreFree(IMallocSpy *iface, void *ptr, BOOL spyed) { return ptr; }
static void WINAPI malloc_spy_PostFree(IMallocSpy *iface, BOOL spyed) {}
static void *WINAPI malloc_spy_PostRealloc(IMallocSpy *iface, void *ptr, BOOL spyed) { return ptr; }
static void *WINAPI malloc_spy_PreGetSize(IMallocSpy *iface, void *ptr, BOOL spyed) { return ptr; }
static SIZE_T WINAPI malloc_spy_PostGetSize(IMallocSpy *iface, SIZE_T size, BOOL spyed) { return size; }
static void *WINAPI malloc_spy_PreDidAlloc(IMallocSpy *iface, void *ptr, BOOL spyed) { return ptr; }
static int WINAPI malloc_spy_PostDidAlloc(IMallocSpy *iface, void *ptr, BOOL spyed, int actual) { return actual; }
static void WINAPI malloc_spy_PreHeapMinimize(IMallocSpy *iface) {}
static void WINAPI malloc_spy_PostHeapMinimize(IMallocSpy *iface) {}

static const IMallocSpyVtbl malloc_spy_vtbl =
{
    malloc_spy_QueryInterface, malloc_spy_AddRef, malloc_spy_Release, malloc_spy_PreAlloc,
    malloc_spy_PostAlloc, malloc_spy_PreFree, malloc_spy_PostFree, malloc_spy_PreRealloc,
    malloc_spy_PostRealloc, malloc_spy_PreGetSize, malloc_spy_PostGetSize, malloc_spy_PreDidAlloc,
    malloc_spy_PostDidAlloc, malloc_spy_PreHeapMinimize, malloc_spy_PostHeapMinimize,
};

static inline void malloc_spy_register(void)
{
    void (WINAPI *set_oa_no_cache)(void);
    HRESULT hr;

    /* Exported by oleaut32, but not in mingw-w64's headers or i686 import library. */
    set_oa_no_cache = (void *)GetProcAddress(GetModuleHandleA("oleaut32.dll"), "SetOaNoCache");
    ok(set_oa_no_cache != NULL, "SetOaNoCache not found\n");
    if (set_oa_no_cache) set_oa_no_cache();
    malloc_spy.IMallocSpy_iface.lpVtbl = &malloc_spy_vtbl;
    hr = CoRegisterMallocSpy(&malloc_spy.IMallocSpy_iface);
    ok(hr == S_OK, "CoRegisterMallocSpy returned %#lx\n", hr);
}

static inline void malloc_spy_revoke(void)
{
    HRESULT hr = CoRevokeMallocSpy();
    ok(hr == S_OK, "CoRevokeMallocSpy returned %#lx\n", hr);
}

/* From now on the n-th allocation of the calling thread fails; 0 stops it. */
static inline void malloc_spy_fail(LONG n)
{
    malloc_spy.fail_at = 0;
    malloc_spy.thread = GetCurrentThreadId();
    malloc_spy.allocations = 0;
    malloc_spy.failed = 0;
    malloc_spy.fail_at = n;
}

#endif /* __MALLOC_SPY_TEST_H */

/*
 * Test helper: at the end of a test program, nothing of a DLL is left alive
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

#ifndef __UNLOAD_TEST_H
#define __UNLOAD_TEST_H

/*
 * Every object a DLL serves (sessions, applications and their sinks, managers,
 * bridges, enumerators) and every IClassFactory::LockServer counts in its
 * DllCanUnloadNow: S_OK once all are gone.  Objects that end through their
 * message loop or a backend thread may let go a moment later, so the wait is
 * bounded, not immediate.
 */
#define check_unload(dll) check_unload_(__FILE__, __LINE__, dll)
static inline void check_unload_(const char *file, int line, const char *dll)
{
    HRESULT (WINAPI *can_unload_now)(void);
    DWORD start = GetTickCount();
    HMODULE module;
    HRESULT hr = E_FAIL;
    MSG msg;

    /* Our own reference: the DLL stays loaded however it was loaded before. */
    module = LoadLibraryA(dll);
    ok_(file, line)(module != NULL, "%s not found\n", dll);
    if (!module) return;
    can_unload_now = (void *)GetProcAddress(module, "DllCanUnloadNow");
    ok_(file, line)(can_unload_now != NULL, "%s does not export DllCanUnloadNow\n", dll);
    if (can_unload_now)
    {
        for (;;)
        {
            if ((hr = can_unload_now()) == S_OK || GetTickCount() - start >= 10000) break;
            while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
            MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);
        }
        ok_(file, line)(hr == S_OK, "%s: DllCanUnloadNow returned %#lx: an object or a lock leaked\n", dll, hr);
    }
    FreeLibrary(module);
}

#endif /* __UNLOAD_TEST_H */

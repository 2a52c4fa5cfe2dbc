/*
 * msra tests: running msra.exe and writing invitations
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

#ifndef __WINE_MSRA_TEST_H
#define __WINE_MSRA_TEST_H

#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "wine/test.h"

/* msra.exe of the build tree: ..\..\ARCH-windows\msra.exe from this program's directory. */
static inline BOOL msra_path(WCHAR *path, DWORD size)
{
    WCHAR self[MAX_PATH], *slash, *arch;
    DWORD len = GetModuleFileNameW(NULL, self, ARRAYSIZE(self));

    if (!len || len >= ARRAYSIZE(self) || !(slash = wcsrchr(self, L'\\'))) return FALSE;
    *slash = 0;
    if (!(arch = wcsrchr(self, L'\\'))) return FALSE;
    swprintf(path, size, L"%s\\..\\..\\%s\\msra.exe", self, arch + 1);
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

struct window_search
{
    DWORD pid;
    HWND found;
};

static BOOL CALLBACK find_window_proc(HWND hwnd, LPARAM lparam)
{
    struct window_search *search = (struct window_search *)lparam;
    DWORD pid;

    GetWindowThreadProcessId(hwnd, &pid);
    if (pid != search->pid || !IsWindowVisible(hwnd)) return TRUE;
    search->found = hwnd;
    return FALSE;
}

/* A visible top-level window of the process, if it has one now. */
static inline HWND find_window(DWORD pid)
{
    struct window_search search = { pid, NULL };

    EnumWindows(find_window_proc, (LPARAM)&search);
    return search.found;
}

/* A file in a fresh temporary directory of the test's own. */
static inline void temp_file(const WCHAR *name, WCHAR *path, DWORD size)
{
    static WCHAR dir[MAX_PATH];

    if (!dir[0])
    {
        GetTempPathW(ARRAYSIZE(dir), dir);
        swprintf(dir + wcslen(dir), ARRAYSIZE(dir) - wcslen(dir), L"msra-test-%lu", GetCurrentProcessId());
        CreateDirectoryW(dir, NULL);
    }
    swprintf(path, size, L"%s\\%s", dir, name);
}

static inline void write_bytes(const WCHAR *path, const void *data, DWORD size)
{
    HANDLE file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD written = 0;

    ok(file != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", wine_dbgstr_w(path), GetLastError());
    WriteFile(file, data, size, &written, NULL);
    ok(written == size, "wrote %lu of %lu bytes\n", written, size);
    CloseHandle(file);
}

/* ASCII text as Windows writes an invitation: UTF-16LE with a BOM. */
static inline void write_utf16(const WCHAR *path, const char *text)
{
    size_t n = strlen(text), i;
    BYTE *bytes = HeapAlloc(GetProcessHeap(), 0, 2 * n + 2);

    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    for (i = 0; i < n; i++)
    {
        bytes[2 + 2 * i] = (BYTE)text[i];
        bytes[3 + 2 * i] = 0;
    }
    write_bytes(path, bytes, (DWORD)(2 * n + 2));
    HeapFree(GetProcessHeap(), 0, bytes);
}

/* The current Unix time, for invitations that have not expired. */
static inline LONGLONG unix_time(void)
{
    FILETIME ft;
    ULARGE_INTEGER t;

    GetSystemTimeAsFileTime(&ft);
    t.LowPart = ft.dwLowDateTime;
    t.HighPart = ft.dwHighDateTime;
    return (LONGLONG)((t.QuadPart - 116444736000000000ull) / 10000000);
}

#endif /* __WINE_MSRA_TEST_H */

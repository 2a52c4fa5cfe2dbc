/*
 * A Unix script beside a Windows program, fed over a loopback socket: what
 * rvfreerdp.exe and msra.exe share.  Wine hands a Unix program no Windows
 * pipe, but a socket as its standard input and output; when the Windows side
 * ends, even by TerminateProcess, the script reads end of file.
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

#include <stdio.h>
#include <string.h>

#include "unix_script.h"

char *unix_file_name(const WCHAR *path)
{
    char *(CDECL *get_unix_file_name)(const WCHAR *);

    get_unix_file_name = (void *)GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name");
    return get_unix_file_name ? get_unix_file_name(path) : NULL;
}

char *unix_script_beside(const WCHAR *name)
{
    WCHAR path[MAX_PATH];
    DWORD len = GetModuleFileNameW(NULL, path, ARRAYSIZE(path));
    WCHAR *slash;

    if (!len || len >= ARRAYSIZE(path) || !(slash = wcsrchr(path, '\\'))) return NULL;
    if ((slash + 1 - path) + wcslen(name) >= ARRAYSIZE(path)) return NULL;
    lstrcpyW(slash + 1, name);
    if (GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES) return NULL;
    return unix_file_name(path);
}

BOOL unix_script_socket_pair(SOCKET *ours, SOCKET *theirs)
{
    struct sockaddr_in addr;
    int len = sizeof(addr);
    SOCKET listener;

    *ours = *theirs = INVALID_SOCKET;
    if ((listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET) return FALSE;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!bind(listener, (struct sockaddr *)&addr, sizeof(addr)) && !listen(listener, 1) &&
        !getsockname(listener, (struct sockaddr *)&addr, &len) &&
        (*ours = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) != INVALID_SOCKET &&
        !connect(*ours, (struct sockaddr *)&addr, sizeof(addr)))
    {
        struct sockaddr_in peer, local;
        int peer_len = sizeof(peer), local_len = sizeof(local);

        /* Only our own connection: nobody else may slip in between. */
        *theirs = accept(listener, (struct sockaddr *)&peer, &peer_len);
        if (*theirs != INVALID_SOCKET && (getsockname(*ours, (struct sockaddr *)&local, &local_len) ||
            local.sin_port != peer.sin_port))
        {
            closesocket(*theirs);
            *theirs = INVALID_SOCKET;
        }
    }
    closesocket(listener);
    if (*theirs != INVALID_SOCKET) return TRUE;
    if (*ours != INVALID_SOCKET) closesocket(*ours);
    *ours = INVALID_SOCKET;
    return FALSE;
}

BOOL unix_script_send(SOCKET s, const char *data, size_t size)
{
    while (size)
    {
        int n = send(s, data, size > 65536 ? 65536 : (int)size, 0);

        if (n <= 0) return FALSE;
        data += n;
        size -= n;
    }
    return TRUE;
}

BOOL unix_script_read_line(SOCKET s, char *line, size_t size)
{
    size_t used = 0;
    char c;

    while (recv(s, &c, 1, 0) == 1)
    {
        if (c == '\n')
        {
            line[used] = 0;
            return TRUE;
        }
        if (used < size - 1) line[used++] = c;
    }
    return FALSE;
}

DWORD unix_script_start(const char *script, const char *args, SOCKET theirs)
{
    WCHAR command[MAX_PATH * 2];
    PROCESS_INFORMATION pi;
    STARTUPINFOW si;
    DWORD error = 0;

    swprintf(command, ARRAYSIZE(command), L"/bin/bash \"%hs\"%hs%hs", script, args[0] ? " " : "", args);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = si.hStdOutput = (HANDLE)theirs;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    /* Wine gives a Unix program the socket as its standard input and output
     * unless it is to get a console, which a console-less parent's children
     * get by default (ntdll's spawn_process): the backend has none. */
    if (!CreateProcessW(NULL, command, NULL, NULL, FALSE, DETACHED_PROCESS, NULL, NULL, &si, &pi))
        error = GetLastError();
    else
    {
        /* A Unix process: Wine gives no handle to wait on, the socket tells. */
        if (pi.hProcess) CloseHandle(pi.hProcess);
        if (pi.hThread) CloseHandle(pi.hThread);
    }
    closesocket(theirs);
    return error;
}

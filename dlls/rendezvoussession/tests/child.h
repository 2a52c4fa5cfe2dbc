/*
 * Test helper: starting a child process under load
 * (shared by the rendezvoussession, msgsc and msra tests)
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

#ifndef __RENDEZVOUS_CHILD_TEST_H
#define __RENDEZVOUS_CHILD_TEST_H

#define CHILD_START_ATTEMPTS 3

/* CreateProcessW, again when Wine 8 reports a new process that died before it
 * was set up (ERROR_INTERNAL_ERROR, seen under load): none of its code ran. */
static inline BOOL create_process_w(WCHAR *cmdline, BOOL inherit, STARTUPINFOW *si, PROCESS_INFORMATION *pi)
{
    unsigned int attempt;

    for (attempt = 1;; attempt++)
    {
        if (CreateProcessW(NULL, cmdline, NULL, NULL, inherit, 0, NULL, NULL, si, pi)) return TRUE;
        if (GetLastError() != ERROR_INTERNAL_ERROR || attempt == CHILD_START_ATTEMPTS) return FALSE;
        trace("a child died before it was set up, attempt %u\n", attempt);
        Sleep(100);
    }
}

/* The same for an ANSI command line: the child gets the same characters. */
static inline BOOL create_process_a(const char *cmdline, BOOL inherit, STARTUPINFOA *si, PROCESS_INFORMATION *pi)
{
    STARTUPINFOW siw;
    WCHAR *wide;
    BOOL ret;
    int len;

    memset(&siw, 0, sizeof(siw));
    siw.cb = sizeof(siw);
    siw.dwFlags = si->dwFlags;
    siw.wShowWindow = si->wShowWindow;
    siw.hStdInput = si->hStdInput;
    siw.hStdOutput = si->hStdOutput;
    siw.hStdError = si->hStdError;
    len = MultiByteToWideChar(CP_ACP, 0, cmdline, -1, NULL, 0);
    if (!(wide = malloc(len * sizeof(WCHAR))))
    {
        SetLastError(ERROR_OUTOFMEMORY);
        return FALSE;
    }
    MultiByteToWideChar(CP_ACP, 0, cmdline, -1, wide, len);
    ret = create_process_w(wide, inherit, &siw, pi);
    free(wide);
    return ret;
}

#endif /* __RENDEZVOUS_CHILD_TEST_H */

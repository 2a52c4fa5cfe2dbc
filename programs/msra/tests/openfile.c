/*
 * msra tests: msra.exe /openfile, driven through its windows
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

#include "msra_test.h"
#include "../../../dlls/rendezvoussession/tests/child.h"
#include "rai_vectors.h"
#include "resource.h"

/* The stand-in viewer: records its arguments and the addresses it was given. */
static const char viewer_script[] =
    "#!/bin/sh\n"
    "out=\"$(dirname \"$0\")/record.txt\"\n"
    "cp \"$1\" \"$(dirname \"$0\")/viewed.txt\"\n"
    "for a in \"$@\"; do printf 'ARG %s\\n' \"$a\"; done >\"$out.tmp\"\n"
    "printf '%s' \"$RENDEZVOUS_MSRA_ADDRESSES\" | sed 's/^/ADDRESS /' >>\"$out.tmp\"\n"
    "mv \"$out.tmp\" \"$out\"\n";

static WCHAR record_path[MAX_PATH];

static char *unix_name(const WCHAR *path)
{
    char *(CDECL *get_unix_file_name)(const WCHAR *);

    get_unix_file_name = (void *)GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name");
    return get_unix_file_name ? get_unix_file_name(path) : NULL;
}

/* A visible top-level window of the process, waiting for it at most 20 s. */
static HWND wait_window(HANDLE process, DWORD pid)
{
    HWND found = NULL;
    int i;

    for (i = 0; i < 200 && !(found = find_window(pid)); i++)
        if (WaitForSingleObject(process, 100) == WAIT_OBJECT_0) break;
    return found;
}

static void click(HWND dialog, int id)
{
    PostMessageW(dialog, WM_COMMAND, MAKEWPARAM(id, BN_CLICKED), (LPARAM)GetDlgItem(dialog, id));
}

static BOOL start_msra(const WCHAR *file, PROCESS_INFORMATION *pi)
{
    WCHAR exe[MAX_PATH], command[3 * MAX_PATH];
    STARTUPINFOW si;
    BOOL ret;

    if (!msra_path(exe, ARRAYSIZE(exe))) return FALSE;
    swprintf(command, ARRAYSIZE(command), L"\"%s\" /openfile \"%s\"", exe, file);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    ret = create_process_w(command, FALSE, &si, pi);
    ok(ret, "CreateProcess failed: %lu\n", GetLastError());
    return ret;
}

static DWORD finish(PROCESS_INFORMATION *pi)
{
    DWORD code = ~0u;

    ok(WaitForSingleObject(pi->hProcess, 30000) == WAIT_OBJECT_0, "msra.exe did not end\n");
    GetExitCodeProcess(pi->hProcess, &code);
    CloseHandle(pi->hProcess);
    CloseHandle(pi->hThread);
    return code;
}

static BOOL viewer_started(void)
{
    return GetFileAttributesW(record_path) != INVALID_FILE_ATTRIBUTES;
}

/* An invitation valid for another hour, as Windows writes it; text gets its UTF-8. */
static void write_fresh(const WCHAR *path, char *text, size_t size)
{
    char start[32];

    sprintf(start, "%lld", (long long)unix_time());
    snprintf(text, size, TYPE2_FILE_WITH("%s", "60"), start);
    write_utf16(path, text);
}

static DWORD read_text(const WCHAR *path, char *buffer, DWORD size)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    DWORD got = 0;

    buffer[0] = 0;
    if (file == INVALID_HANDLE_VALUE) return 0;
    ReadFile(file, buffer, size - 1, &got, NULL);
    buffer[got] = 0;
    CloseHandle(file);
    return got;
}

static BOOL unix_file_exists(const char *path)
{
    WCHAR *(CDECL *get_dos_file_name)(const char *);
    WCHAR *dos;
    BOOL ret;

    get_dos_file_name = (void *)GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_dos_file_name");
    if (!get_dos_file_name || !(dos = get_dos_file_name(path))) return FALSE;
    ret = GetFileAttributesW(dos) != INVALID_FILE_ATTRIBUTES;
    HeapFree(GetProcessHeap(), 0, dos);
    return ret;
}

/* The text of a window's control, read across processes. */
static void item_text(HWND dialog, int id, WCHAR *text, int size)
{
    text[0] = 0;
    GetWindowTextW(GetDlgItem(dialog, id), text, size);
}

static void test_wrong_password(void)
{
    WCHAR path[MAX_PATH], text[512];
    char utf8[4096];
    PROCESS_INFORMATION pi;
    HWND dialog;
    int i;

    temp_file(L"wrong.MsRcIncident", path, ARRAYSIZE(path));
    write_fresh(path, utf8, sizeof(utf8));
    DeleteFileW(record_path);
    if (!start_msra(path, &pi)) return;
    dialog = wait_window(pi.hProcess, pi.dwProcessId);
    ok(dialog && GetDlgItem(dialog, IDC_PASSWORD), "no password dialog\n");
    if (dialog && GetDlgItem(dialog, IDC_PASSWORD))
    {
        item_text(dialog, IDC_WHO, text, ARRAYSIZE(text));
        ok(wcsstr(text, L"awake asks for your help") != NULL, "who: %s\n", wine_dbgstr_w(text));
        SetDlgItemTextW(dialog, IDC_PASSWORD, L"Password1");
        click(dialog, IDOK);
        for (i = 0; i < 100; i++)
        {
            item_text(dialog, IDC_STATUS, text, ARRAYSIZE(text));
            if (text[0]) break;
            Sleep(100);
        }
        ok(wcsstr(text, L"not the invitation's password") != NULL, "status %s\n", wine_dbgstr_w(text));
        ok(IsWindow(dialog), "the dialog went away\n");
        click(dialog, IDCANCEL);
    }
    ok(finish(&pi) == 5, "not cancelled\n");
    ok(!viewer_started(), "the viewer started with a wrong password\n");
}

static void test_expired(void)
{
    WCHAR path[MAX_PATH], text[512];
    PROCESS_INFORMATION pi;
    HWND box;

    temp_file(L"expired.MsRcIncident", path, ARRAYSIZE(path));
    write_utf16(path, TYPE2_FILE);
    DeleteFileW(record_path);
    if (!start_msra(path, &pi)) return;
    box = wait_window(pi.hProcess, pi.dwProcessId);
    ok(box && !GetDlgItem(box, IDC_PASSWORD), "no message box\n");
    if (box)
    {
        /* A message box's text is its static control 0xffff. */
        item_text(box, 0xffff, text, ARRAYSIZE(text));
        ok(wcsstr(text, L"expired") != NULL, "text %s\n", wine_dbgstr_w(text));
        PostMessageW(box, WM_COMMAND, IDOK, 0);
    }
    ok(finish(&pi) == 4, "not refused as expired\n");
    ok(!viewer_started(), "the viewer started for an expired invitation\n");
}

static void test_viewer(void)
{
    WCHAR path[MAX_PATH], viewed[MAX_PATH], text[512];
    char record[4096], expected[4096], utf8[4096], copy[4096], *line, *end;
    PROCESS_INFORMATION pi;
    DWORD code;
    HWND dialog;

    temp_file(L"good.MsRcIncident", path, ARRAYSIZE(path));
    write_fresh(path, utf8, sizeof(utf8));
    temp_file(L"viewed.txt", viewed, ARRAYSIZE(viewed));
    DeleteFileW(viewed);
    DeleteFileW(record_path);
    if (!start_msra(path, &pi)) return;
    dialog = wait_window(pi.hProcess, pi.dwProcessId);
    ok(dialog && GetDlgItem(dialog, IDC_PASSWORD), "no password dialog\n");
    if (dialog && GetDlgItem(dialog, IDC_PASSWORD))
    {
        SetDlgItemTextW(dialog, IDC_PASSWORD, L"" TYPE2_PASSWORD);
        click(dialog, IDOK);
    }
    /* The viewer ends at once; a message box here would say why it failed. */
    if (WaitForSingleObject(pi.hProcess, 20000) != WAIT_OBJECT_0 && (dialog = wait_window(pi.hProcess, pi.dwProcessId)))
    {
        item_text(dialog, 0xffff, text, ARRAYSIZE(text));
        ok(0, "msra.exe says %s\n", wine_dbgstr_w(text));
        PostMessageW(dialog, WM_COMMAND, IDOK, 0);
    }
    code = finish(&pi);
    ok(code == 0, "exit code %lu\n", code);
    ok(viewer_started(), "the viewer did not start\n");
    if (!read_text(record_path, record, sizeof(record))) return;

    /* FreeRDP's form, xfreerdp FILE /assistance:PASSWORD, FILE a UTF-8 copy
     * (FreeRDP 2.11 reads no UTF-16) that is gone once the viewer has ended. */
    ok(!strncmp(record, "ARG /", 5) && (end = strchr(record, '\n')), "recorded %s\n", wine_dbgstr_a(record));
    if (strncmp(record, "ARG /", 5) || !(end = strchr(record, '\n'))) return;
    *end = 0;
    line = record + 4;
    ok(strlen(line) > 24 && !strcmp(line + strlen(line) - 24, "/invitation.MsRcIncident"), "file %s\n", line);
    ok(!unix_file_exists(line), "the copy %s is left\n", line);
    read_text(viewed, copy, sizeof(copy));
    ok(!strcmp(copy, utf8), "the viewer got %s\n", wine_dbgstr_a(copy));
    /* The addresses of the decrypted ticket, in its order. */
    snprintf(expected, sizeof(expected),
             "ARG /assistance:" TYPE2_PASSWORD "\nARG /title:Remote Assistance: awake\n"
             "ADDRESS fe80::1032:53d9:5a01:909b%%3 49228\nADDRESS fe80::3d8f:9b2d:6b4e:6aa%%6 49229\n"
             "ADDRESS 192.168.1.200 49230\nADDRESS 169.254.6.170 49231\n");
    ok(!strcmp(end + 1, expected), "recorded %s\n", wine_dbgstr_a(end + 1));
}

/* A viewer that is not there: a message box, exit 6, nothing recorded. */
static void test_no_viewer(const WCHAR *viewer)
{
    WCHAR path[MAX_PATH], text[512];
    char utf8[4096];
    PROCESS_INFORMATION pi;
    HWND dialog, box;

    temp_file(L"noviewer.MsRcIncident", path, ARRAYSIZE(path));
    write_fresh(path, utf8, sizeof(utf8));
    DeleteFileW(record_path);
    SetEnvironmentVariableW(L"RENDEZVOUS_MSRA_VIEWER", L"/nonexistent/viewer");
    if (!start_msra(path, &pi)) return;
    SetEnvironmentVariableW(L"RENDEZVOUS_MSRA_VIEWER", viewer);
    dialog = wait_window(pi.hProcess, pi.dwProcessId);
    ok(dialog && GetDlgItem(dialog, IDC_PASSWORD), "no password dialog\n");
    if (dialog && GetDlgItem(dialog, IDC_PASSWORD))
    {
        SetDlgItemTextW(dialog, IDC_PASSWORD, L"" TYPE2_PASSWORD);
        click(dialog, IDOK);
        /* The dialog goes, the message box comes. */
        while (IsWindow(dialog) && WaitForSingleObject(pi.hProcess, 100) == WAIT_TIMEOUT) {}
        box = wait_window(pi.hProcess, pi.dwProcessId);
        ok(box && !GetDlgItem(box, IDC_PASSWORD), "no message box\n");
        if (box)
        {
            item_text(box, 0xffff, text, ARRAYSIZE(text));
            ok(wcsstr(text, L"viewer failed") != NULL, "text %s\n", wine_dbgstr_w(text));
            PostMessageW(box, WM_COMMAND, IDOK, 0);
        }
    }
    ok(finish(&pi) == 6, "not a viewer failure\n");
    ok(!viewer_started(), "something was recorded\n");
}

START_TEST(openfile)
{
    WCHAR script[MAX_PATH], viewer[MAX_PATH * 3];
    char *unix;

    temp_file(L"viewer.sh", script, ARRAYSIZE(script));
    write_bytes(script, viewer_script, sizeof(viewer_script) - 1);
    temp_file(L"record.txt", record_path, ARRAYSIZE(record_path));
    if (!(unix = unix_name(script)))
    {
        win_skip("not running on Wine: no Unix viewer to stand in\n");
        return;
    }
    swprintf(viewer, ARRAYSIZE(viewer), L"/bin/sh %hs", unix);
    HeapFree(GetProcessHeap(), 0, unix);
    SetEnvironmentVariableW(L"RENDEZVOUS_MSRA_VIEWER", viewer);

    test_wrong_password();
    test_expired();
    test_viewer();
    test_no_viewer(viewer);
}

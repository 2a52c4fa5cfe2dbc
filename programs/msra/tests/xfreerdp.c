/*
 * msra tests: msra.exe /openfile with the real xfreerdp, up to its first RDP bytes
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

#include <winsock2.h>
#include <wincrypt.h>

#include "msra_test.h"
#include "../../../dlls/rendezvoussession/tests/child.h"
#include "resource.h"

#define PASSWORD L"TESTPASS1234"

/* A Windows Vista-style invitation for 127.0.0.1:port, LHTICKET encrypted here
 * with the CryptoAPI recipe of docs/behaviour.md. */
static BOOL make_invitation(const WCHAR *path, unsigned int port)
{
    static const char id[] = "+ULZ6ifjoCa6cGPMLQiGHRPwkg6VyJqGwxMnO6GcelwUh9a6/FBq3It5ADSndmLL";
    static const char kh[] = "BNRjdu97DyczQSRuMRrDWoue+HA=";
    char string2[512], text[4096], hex[2048];
    BYTE data[1024];
    DWORD size, i, n;
    HCRYPTPROV prov;
    HCRYPTHASH hash;
    HCRYPTKEY key;
    BOOL ret;

    n = snprintf(string2, sizeof(string2), "<E><A KH=\"%s\" ID=\"%s\"/><C><T ID=\"1\" SID=\"0\">"
                 "<L P=\"%u\" N=\"127.0.0.1\"/></T></C></E>\r\n", kh, id, port);
    for (i = 0; i < n; i++)
    {
        data[2 * i] = (BYTE)string2[i];
        data[2 * i + 1] = 0;
    }
    size = 2 * n;
    ret = CryptAcquireContextW(&prov, NULL, MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES, CRYPT_VERIFYCONTEXT) &&
          CryptCreateHash(prov, CALG_SHA1, 0, 0, &hash) &&
          CryptHashData(hash, (const BYTE *)PASSWORD, lstrlenW(PASSWORD) * sizeof(WCHAR), 0) &&
          CryptDeriveKey(prov, CALG_AES_128, hash, 0, &key) &&
          CryptEncrypt(key, 0, TRUE, 0, data, &size, sizeof(data));
    ok(ret, "encrypting failed: %#lx\n", GetLastError());
    if (!ret) return FALSE;
    for (i = 0; i < size; i++) sprintf(hex + 2 * i, "%02X", data[i]);
    snprintf(text, sizeof(text), "<?xml version=\"1.0\"?><UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA "
             "USERNAME=\"tester\" LHTICKET=\"%s\" RCTICKET=\"65538,1,127.0.0.1:%u,*,%s,*,*,%s\" "
             "PassStub=\"WB^6HsrIaFmEpi\" RCTICKETENCRYPTED=\"1\" DtStart=\"%lld\" DtLength=\"60\" L=\"0\"/>"
             "</UPLOADINFO>", hex, port, id, kh, (long long)unix_time());
    write_utf16(path, text);
    CryptDestroyKey(key);
    CryptDestroyHash(hash);
    CryptReleaseContext(prov, 0);
    return TRUE;
}

static BOOL have_xfreerdp(void)
{
    WCHAR *(CDECL *get_dos_file_name)(const char *);
    WCHAR *path;
    BOOL ret;

    get_dos_file_name = (void *)GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_dos_file_name");
    if (!get_dos_file_name || !(path = get_dos_file_name("/usr/bin/xfreerdp"))) return FALSE;
    ret = GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
    HeapFree(GetProcessHeap(), 0, path);
    return ret;
}

START_TEST(xfreerdp)
{
    WCHAR exe[MAX_PATH], path[MAX_PATH], command[3 * MAX_PATH];
    struct sockaddr_in addr;
    PROCESS_INFORMATION pi;
    STARTUPINFOW si;
    struct timeval timeout = { 30, 0 };
    SOCKET listener, peer = INVALID_SOCKET;
    int len = sizeof(addr), got = 0, i;
    BYTE bytes[64];
    WSADATA wsa;
    fd_set set;
    HWND window;
    DWORD code;
    BOOL ret;

    if (!have_xfreerdp())
    {
        skip("no /usr/bin/xfreerdp (Debian: freerdp2-x11)\n");
        return;
    }
    if (!GetEnvironmentVariableW(L"DISPLAY", NULL, 0))
    {
        skip("no X display for xfreerdp\n");
        return;
    }
    SetEnvironmentVariableW(L"RENDEZVOUS_MSRA_VIEWER", NULL);
    WSAStartup(MAKEWORD(2, 2), &wsa);
    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok(!bind(listener, (struct sockaddr *)&addr, sizeof(addr)) && !listen(listener, 1) &&
       !getsockname(listener, (struct sockaddr *)&addr, &len), "no listener: %d\n", WSAGetLastError());

    temp_file(L"xfreerdp.MsRcIncident", path, ARRAYSIZE(path));
    if (!make_invitation(path, ntohs(addr.sin_port)) || !msra_path(exe, ARRAYSIZE(exe))) return;
    swprintf(command, ARRAYSIZE(command), L"\"%s\" /openfile \"%s\"", exe, path);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    ret = create_process_w(command, FALSE, &si, &pi);
    ok(ret, "CreateProcess failed: %lu\n", GetLastError());
    if (!ret) return;
    for (i = 0; i < 200 && !(window = find_window(pi.dwProcessId)); i++) Sleep(100);
    ok(window && GetDlgItem(window, IDC_PASSWORD), "no password dialog\n");
    if (window && GetDlgItem(window, IDC_PASSWORD))
    {
        SetDlgItemTextW(window, IDC_PASSWORD, PASSWORD);
        PostMessageW(window, WM_COMMAND, MAKEWPARAM(IDOK, BN_CLICKED), (LPARAM)GetDlgItem(window, IDOK));
    }

    /* xfreerdp connects to the ticket's address and starts RDP's connection
     * sequence: a TPKT header (version 3), then X.224. */
    FD_ZERO(&set);
    FD_SET(listener, &set);
    if (select(0, &set, NULL, NULL, &timeout) == 1) peer = accept(listener, NULL, NULL);
    ok(peer != INVALID_SOCKET, "xfreerdp did not connect\n");
    if (peer != INVALID_SOCKET)
    {
        got = recv(peer, (char *)bytes, sizeof(bytes), 0);
        ok(got >= 4 && bytes[0] == 3 && bytes[1] == 0, "not RDP: %d bytes, first %#x\n", got, got > 0 ? bytes[0] : 0);
        closesocket(peer);
    }
    closesocket(listener);

    /* Without a server the viewer fails: msra.exe says so and ends. */
    for (i = 0; i < 300 && WaitForSingleObject(pi.hProcess, 100) == WAIT_TIMEOUT; i++)
        if ((window = find_window(pi.dwProcessId)) && !GetDlgItem(window, IDC_PASSWORD))
            PostMessageW(window, WM_COMMAND, IDOK, 0);
    ok(WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0, "msra.exe did not end\n");
    GetExitCodeProcess(pi.hProcess, &code);
    ok(code == 6, "exit code %lu\n", code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    WSACleanup();
}

/*
 * msra tests: msra.exe /decode, as scripts use it
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

struct result
{
    DWORD code;
    char out[4096];
    char err[4096];
};

static void read_all(HANDLE pipe, char *buffer, DWORD size)
{
    DWORD used = 0, got;

    while (used < size - 1 && ReadFile(pipe, buffer + used, size - 1 - used, &got, NULL) && got) used += got;
    buffer[used] = 0;
}

/* Runs msra.exe with arguments, its standard output and error captured. */
static void run_msra(const WCHAR *args, struct result *r)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    HANDLE out_read, out_write, err_read, err_write;
    WCHAR exe[MAX_PATH], command[2 * MAX_PATH + 256];
    PROCESS_INFORMATION pi;
    STARTUPINFOW si;
    BOOL ret;

    memset(r, 0, sizeof(*r));
    r->code = ~0u;
    if (!msra_path(exe, ARRAYSIZE(exe)))
    {
        ok(0, "msra.exe not found\n");
        return;
    }
    swprintf(command, ARRAYSIZE(command), L"\"%s\" %s", exe, args);
    CreatePipe(&out_read, &out_write, &sa, 0);
    CreatePipe(&err_read, &err_write, &sa, 0);
    SetHandleInformation(out_read, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(err_read, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = out_write;
    si.hStdError = err_write;
    ret = create_process_w(command, TRUE, &si, &pi);
    ok(ret, "CreateProcess failed: %lu\n", GetLastError());
    CloseHandle(out_write);
    CloseHandle(err_write);
    if (ret)
    {
        /* Small outputs: the pipes do not fill before the child ends. */
        ok(WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0, "msra.exe did not end\n");
        GetExitCodeProcess(pi.hProcess, &r->code);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }
    read_all(out_read, r->out, sizeof(r->out));
    read_all(err_read, r->err, sizeof(r->err));
    CloseHandle(out_read);
    CloseHandle(err_read);
}

static void decode(const WCHAR *file, const WCHAR *password, struct result *r)
{
    WCHAR args[2 * MAX_PATH];

    swprintf(args, ARRAYSIZE(args), L"/decode \"%s\" \"%s\"", file, password);
    run_msra(args, r);
}

/* A failure: nothing on standard output, one line on standard error. */
#define check_failure(r, code, why) check_failure_(__LINE__, r, code, why)
static void check_failure_(int line, const struct result *r, DWORD code, const char *why)
{
    const char *newline = strchr(r->err, '\n');

    ok_(__FILE__, line)(r->code == code, "exit code %lu, expected %lu\n", r->code, code);
    ok_(__FILE__, line)(!r->out[0], "standard output %s\n", wine_dbgstr_a(r->out));
    ok_(__FILE__, line)(newline && !newline[1], "standard error %s\n", wine_dbgstr_a(r->err));
    ok_(__FILE__, line)(strstr(r->err, why) != NULL, "standard error %s lacks %s\n", wine_dbgstr_a(r->err), why);
}

/* Windows Vista and later: the addresses come from LHTICKET, in its order;
 * the PassStub line is checked against an independent RC4 computation. */
static void test_type2(void)
{
    static const char expected[] =
        "fe80::1032:53d9:5a01:909b%3 49228\n"
        "fe80::3d8f:9b2d:6b4e:6aa%6 49229\n"
        "192.168.1.200 49230\n"
        "169.254.6.170 49231\n"
        "PASSSTUB 777dfaae9028124dd02ede8014221b4ad1f4ec138539d733ac767895b2d857d9\n"
        "EXPIRES 1404836263\n";
    WCHAR path[MAX_PATH];
    struct result r;

    /* As Windows writes it; expired long ago, which /decode reports and does not judge. */
    temp_file(L"type2.MsRcIncident", path, ARRAYSIZE(path));
    write_utf16(path, TYPE2_FILE);
    decode(path, L"" TYPE2_PASSWORD, &r);
    ok(r.code == 0, "exit code %lu, error %s\n", r.code, wine_dbgstr_a(r.err));
    ok(!strcmp(r.out, expected), "output %s\n", wine_dbgstr_a(r.out));
    ok(!r.err[0], "standard error %s\n", wine_dbgstr_a(r.err));

    decode(path, L"Password1", &r);
    check_failure(&r, 3, "wrong password");
    decode(path, L"48bjq853x3b4", &r);
    check_failure(&r, 3, "wrong password");
}

/* Windows XP: RCTICKET's addresses; the PassStub is FreeRDP's published blob. */
static void test_type1(void)
{
    static const char expected[] =
        "10.0.3.105 3389\n"
        "winxpsp3.contoso3.com 3389\n"
        "PASSSTUB 3c9cae0bce7ab15c8aac01d676045edf3ffaf092e2de368a2017e68a0ded7c90\n"
        "EXPIRES 1314916541\n";
    WCHAR path[MAX_PATH];
    struct result r;

    temp_file(L"type1.MsRcIncident", path, ARRAYSIZE(path));
    write_bytes(path, TYPE1_FILE, sizeof(TYPE1_FILE) - 1);
    decode(path, L"" TYPE1_PASSWORD, &r);
    ok(r.code == 0, "exit code %lu, error %s\n", r.code, wine_dbgstr_a(r.err));
    ok(!strcmp(r.out, expected), "output %s\n", wine_dbgstr_a(r.out));
}

static void test_expiry(void)
{
    char text[4096], start[32], expected[64];
    WCHAR path[MAX_PATH];
    LONGLONG now = unix_time();
    struct result r;
    const char *line;

    /* Valid for another hour. */
    sprintf(start, "%lld", (long long)now);
    temp_file(L"fresh.MsRcIncident", path, ARRAYSIZE(path));
    snprintf(text, sizeof(text), TYPE2_FILE_WITH("%s", "60"), start);
    write_utf16(path, text);
    decode(path, L"" TYPE2_PASSWORD, &r);
    ok(r.code == 0, "exit code %lu, error %s\n", r.code, wine_dbgstr_a(r.err));
    sprintf(expected, "\nEXPIRES %lld\n", (long long)(now + 3600));
    line = strstr(r.out, "\nEXPIRES ");
    ok(line && !strcmp(line, expected), "output %s\n", wine_dbgstr_a(r.out));

    /* Neither DtStart nor DtLength. */
    snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"x\" RCTICKET=\"%s\" "
             "PassStub=\"RT=0PvIndan52*\"/></UPLOADINFO>", MSRAI_STRING1);
    write_bytes(path, text, (DWORD)strlen(text));
    decode(path, L"x", &r);
    ok(r.code == 0, "exit code %lu, error %s\n", r.code, wine_dbgstr_a(r.err));
    /* The PassStub line from an independent RC4 computation. */
    ok(!strcmp(r.out, "172.31.243.138 3389\nMIKE_HOME 3389\n"
               "PASSSTUB 881813be4381781a347885ba0d2c68c2d42274f99d12359c64fe384838d9b930\nEXPIRES never\n"), "output %s\n", wine_dbgstr_a(r.out));
}

static void test_malformed(void)
{
    char text[4096];
    WCHAR path[MAX_PATH];
    struct result r;

    temp_file(L"bad.MsRcIncident", path, ARRAYSIZE(path));
    /* The published type 1 text runs two attributes together. */
    write_bytes(path, TYPE1_FILE_AS_PUBLISHED, sizeof(TYPE1_FILE_AS_PUBLISHED) - 1);
    decode(path, L"" TYPE1_PASSWORD, &r);
    check_failure(&r, 2, "not a Remote Assistance invitation");

    /* Cut short. */
    snprintf(text, sizeof(text), "%s", TYPE2_FILE);
    text[strlen(text) - 20] = 0;
    write_utf16(path, text);
    decode(path, L"" TYPE2_PASSWORD, &r);
    check_failure(&r, 2, "not a Remote Assistance invitation");

    /* No PassStub: nothing to prove the password with. */
    snprintf(text, sizeof(text), "<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA USERNAME=\"x\" RCTICKET=\"%s\"/>"
             "</UPLOADINFO>", MSRAI_STRING1);
    write_bytes(path, text, (DWORD)strlen(text));
    decode(path, L"x", &r);
    check_failure(&r, 2, "no PassStub");

    temp_file(L"missing.MsRcIncident", path, ARRAYSIZE(path));
    decode(path, L"x", &r);
    check_failure(&r, 2, "cannot open the file");
}

static void test_usage(void)
{
    struct result r;

    run_msra(L"", &r);
    ok(r.code == 1, "exit code %lu\n", r.code);
    ok(!r.out[0] && strstr(r.err, "usage:"), "output %s, error %s\n", wine_dbgstr_a(r.out), wine_dbgstr_a(r.err));
    run_msra(L"/decode onlyfile", &r);
    ok(r.code == 1, "exit code %lu\n", r.code);
}

START_TEST(decode)
{
    test_type2();
    test_type1();
    test_expiry();
    test_malformed();
    test_usage();
}

/*
 * Conformance tests for msgsc.dll registration
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

/*
 * Not a crosstest unit: it tests this project's own classes or choices
 * (docs/behaviour.md) beside documented facts, so it is built into
 * msgsc_test.exe only.  What Windows documents is tested alone in api.c
 * and typelib.c, which 'make crosstest' also builds for Windows.
 */

/* How msgsc registers is this project's choice (docs/behaviour.md,
 * "Messenger"): Windows registered Messenger's classes with Messenger. */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>

#include "msgrpriv.h"
#include "winemsgr.h"

#include "wine/test.h"
#include "../../rendezvoussession/tests/unload.h"
#include "../../rendezvoussession/tests/child.h"

#define TYPELIB_MARSHALER L"{00020424-0000-0000-C000-000000000046}"

static WCHAR dll_path[MAX_PATH];
static HRESULT (WINAPI *pDllRegisterServer)(void);
static HRESULT (WINAPI *pDllUnregisterServer)(void);

static BOOL key_exists(HKEY root, const WCHAR *path)
{
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key)) return FALSE;
    RegCloseKey(key);
    return TRUE;
}

#define check_value(a, b, c) check_value_(__LINE__, a, b, c)
static void check_value_(int line, const WCHAR *path, const WCHAR *value, const WCHAR *expected)
{
    WCHAR buffer[MAX_PATH + 16];
    DWORD type, bytes = sizeof(buffer);
    LONG ret;
    HKEY key;

    if (RegOpenKeyExW(HKEY_CLASSES_ROOT, path, 0, KEY_READ, &key))
    {
        ok_(__FILE__, line)(0, "%s missing\n", wine_dbgstr_w(path));
        return;
    }
    ret = RegQueryValueExW(key, value, NULL, &type, (BYTE *)buffer, &bytes);
    RegCloseKey(key);
    ok_(__FILE__, line)(!ret, "got %ld\n", ret);
    ok_(__FILE__, line)(type == REG_SZ, "got %lu\n", type);
    if (!ret) ok_(__FILE__, line)(!lstrcmpiW(buffer, expected), "%s value %s: got %s, expected %s\n",
                                  wine_dbgstr_w(path), wine_dbgstr_w(value), wine_dbgstr_w(buffer),
                                  wine_dbgstr_w(expected));
}

static void guid_key(WCHAR *buffer, const WCHAR *prefix, const GUID *guid, const WCHAR *suffix)
{
    WCHAR str[40];

    StringFromGUID2(guid, str, ARRAY_SIZE(str));
    swprintf(buffer, MAX_PATH, L"%ls%ls%ls", prefix, str, suffix);
}

/* Every interface the typelib marshaler can carry between apartments and processes. */
static const struct
{
    const GUID *iid;
    const GUID *libid;
}
marshaled[] =
{
    { &IID_IMsgrSessionManager, &LIBID_MessengerPrivate },
    { &IID_IMsgrSession, &LIBID_MessengerPrivate },
    { &IID_IMsgrLock, &LIBID_MessengerPrivate },
    { &IID_IMessengerPrivate, &LIBID_MessengerPrivate },
    { &DIID_DMsgrSessionEvents, &LIBID_MessengerPrivate },
    { &DIID_DMsgrSessionManagerEvents, &LIBID_MessengerPrivate },
    { &DIID_DMessengerPrivateEvents, &LIBID_MessengerPrivate },
    { &IID_IMsgrSessionManagerHost, &LIBID_WineMessengerLib },
    { &IID_IMsgrSessionHost, &LIBID_WineMessengerLib },
};

static const struct
{
    const CLSID *clsid;
    const WCHAR *progid;
    const WCHAR *vi_progid;
}
classes[] =
{
    { &CLSID_MsgrSessionManager, L"WineMessenger.SessionManager.1", L"WineMessenger.SessionManager" },
    { &CLSID_MsgrSession, L"WineMessenger.Session.1", L"WineMessenger.Session" },
};

static void check_registered(void)
{
    const WCHAR *platform = sizeof(void *) == 8 ? L"win64" : L"win32";
    WCHAR path[MAX_PATH], expected[MAX_PATH + 8], libid[40];
    unsigned int i;

    guid_key(path, L"Typelib\\", &LIBID_MessengerPrivate, L"\\1.0\\0\\");
    lstrcatW(path, platform);
    check_value(path, NULL, dll_path);
    guid_key(path, L"Typelib\\", &LIBID_MessengerPrivate, L"\\1.0");
    check_value(path, NULL, L"Messenger Private Type Library");
    guid_key(path, L"Typelib\\", &LIBID_WineMessengerLib, L"\\1.0\\0\\");
    lstrcatW(path, platform);
    swprintf(expected, ARRAY_SIZE(expected), L"%ls\\2", dll_path);
    check_value(path, NULL, expected);

    for (i = 0; i < ARRAY_SIZE(marshaled); i++)
    {
        winetest_push_context("%s", wine_dbgstr_guid(marshaled[i].iid));
        StringFromGUID2(marshaled[i].libid, libid, ARRAY_SIZE(libid));
        guid_key(path, L"Interface\\", marshaled[i].iid, L"\\ProxyStubClsid32");
        check_value(path, NULL, TYPELIB_MARSHALER);
        guid_key(path, L"Interface\\", marshaled[i].iid, L"\\TypeLib");
        check_value(path, NULL, libid);
        check_value(path, L"Version", L"1.0");
        winetest_pop_context();
    }

    for (i = 0; i < ARRAY_SIZE(classes); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(classes[i].vi_progid));
        guid_key(path, L"CLSID\\", classes[i].clsid, L"\\InprocServer32");
        check_value(path, NULL, dll_path);
        check_value(path, L"ThreadingModel", L"Both");
        guid_key(path, L"CLSID\\", classes[i].clsid, L"\\ProgId");
        check_value(path, NULL, classes[i].progid);
        guid_key(expected, L"", classes[i].clsid, L"");
        swprintf(path, ARRAY_SIZE(path), L"%ls\\CLSID", classes[i].progid);
        check_value(path, NULL, expected);
        swprintf(path, ARRAY_SIZE(path), L"%ls\\CurVer", classes[i].vi_progid);
        check_value(path, NULL, classes[i].progid);
        winetest_pop_context();
    }
    /* Declared in the library, not served. */
    guid_key(path, L"CLSID\\", &CLSID_MessengerPrivate, L"");
    ok(!key_exists(HKEY_CLASSES_ROOT, path), "MessengerPriv is registered\n");
}

static void check_unregistered(void)
{
    WCHAR path[MAX_PATH];
    unsigned int i;

    guid_key(path, L"Typelib\\", &LIBID_MessengerPrivate, L"");
    ok(!key_exists(HKEY_CLASSES_ROOT, path), "%s still exists\n", wine_dbgstr_w(path));
    guid_key(path, L"Typelib\\", &LIBID_WineMessengerLib, L"");
    ok(!key_exists(HKEY_CLASSES_ROOT, path), "%s still exists\n", wine_dbgstr_w(path));
    for (i = 0; i < ARRAY_SIZE(marshaled); i++)
    {
        guid_key(path, L"Interface\\", marshaled[i].iid, L"");
        ok(!key_exists(HKEY_CLASSES_ROOT, path), "%s still exists\n", wine_dbgstr_w(path));
    }
    for (i = 0; i < ARRAY_SIZE(classes); i++)
    {
        guid_key(path, L"CLSID\\", classes[i].clsid, L"");
        ok(!key_exists(HKEY_CLASSES_ROOT, path), "%s still exists\n", wine_dbgstr_w(path));
        ok(!key_exists(HKEY_CLASSES_ROOT, classes[i].progid), "ProgID still exists\n");
        ok(!key_exists(HKEY_CLASSES_ROOT, classes[i].vi_progid), "ProgID still exists\n");
    }
}

/* FNV-1a over a depth-first walk of the keys the DLL may touch. */
struct snapshot
{
    UINT64 hash;
    unsigned int keys;
    unsigned int values;
};

static void hash_bytes(struct snapshot *snap, const void *data, size_t size)
{
    const BYTE *p = data;

    while (size--)
    {
        snap->hash ^= *p++;
        snap->hash *= 0x100000001b3ull;
    }
}

static void snapshot_key(struct snapshot *snap, HKEY key, unsigned int depth)
{
    WCHAR name[256];
    BYTE data[1024];
    DWORD index, name_len, data_len, type;
    HKEY sub;

    for (index = 0;; index++)
    {
        name_len = ARRAY_SIZE(name);
        data_len = sizeof(data);
        if (RegEnumValueW(key, index, name, &name_len, NULL, &type, data, &data_len)) break;
        hash_bytes(snap, name, name_len * sizeof(WCHAR));
        hash_bytes(snap, &type, sizeof(type));
        hash_bytes(snap, data, data_len);
        snap->values++;
    }
    if (depth > 12) return;
    for (index = 0;; index++)
    {
        name_len = ARRAY_SIZE(name);
        if (RegEnumKeyExW(key, index, name, &name_len, NULL, NULL, NULL, NULL)) break;
        hash_bytes(snap, L"\\", sizeof(WCHAR));
        hash_bytes(snap, name, name_len * sizeof(WCHAR));
        snap->keys++;
        if (!RegOpenKeyExW(key, name, 0, KEY_READ, &sub))
        {
            snapshot_key(snap, sub, depth + 1);
            RegCloseKey(sub);
        }
    }
}

static struct snapshot take_snapshot(void)
{
    static const WCHAR *const roots[] =
    {
        L"Software\\Classes\\CLSID", L"Software\\Classes\\Interface", L"Software\\Classes\\Typelib",
        L"Software\\Classes\\WineMessenger.SessionManager", L"Software\\Classes\\WineMessenger.SessionManager.1",
        L"Software\\Classes\\WineMessenger.Session", L"Software\\Classes\\WineMessenger.Session.1",
        L"Software\\Microsoft\\MessengerService",
    };
    struct snapshot snap = { 0xcbf29ce484222325ull, 0, 0 };
    unsigned int i;
    HKEY key;

    for (i = 0; i < ARRAY_SIZE(roots); i++)
    {
        hash_bytes(&snap, roots[i], lstrlenW(roots[i]) * sizeof(WCHAR));
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, roots[i], 0, KEY_READ, &key)) continue;
        snapshot_key(&snap, key, 0);
        RegCloseKey(key);
    }
    return snap;
}

static DWORD run_regsvr32(const WCHAR *options)
{
    WCHAR cmdline[MAX_PATH * 2];
    PROCESS_INFORMATION pi;
    STARTUPINFOW si = { sizeof(si) };
    DWORD ret = ~0u;

    swprintf(cmdline, ARRAY_SIZE(cmdline), L"regsvr32.exe %ls \"%ls\"", options, dll_path);
    if (!create_process_w(cmdline, FALSE, &si, &pi))
    {
        ok(0, "CreateProcess(%s) failed: %lu\n", wine_dbgstr_w(cmdline), GetLastError());
        return ret;
    }
    ok(WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0, "regsvr32 did not finish\n");
    GetExitCodeProcess(pi.hProcess, &ret);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return ret;
}

static void test_register_unregister(void)
{
    struct snapshot registered, unregistered, again;
    HRESULT hr;

    /* The test runner registered the DLL before running us. */
    check_registered();
    registered = take_snapshot();

    hr = pDllUnregisterServer();
    ok(hr == S_OK, "DllUnregisterServer returned %#lx\n", hr);
    check_unregistered();
    unregistered = take_snapshot();
    ok(unregistered.keys < registered.keys, "unregistering removed no key (%u, %u)\n", unregistered.keys,
       registered.keys);
    hr = pDllUnregisterServer();
    ok(hr == S_OK, "second DllUnregisterServer returned %#lx\n", hr);
    again = take_snapshot();
    ok(again.hash == unregistered.hash, "second unregistration changed the registry\n");

    hr = pDllRegisterServer();
    ok(hr == S_OK, "DllRegisterServer returned %#lx\n", hr);
    check_registered();
    again = take_snapshot();
    ok(again.hash == registered.hash, "registering again gave another registry (%u/%u keys, %u/%u values)\n", again.keys, registered.keys, again.values, registered.values);
    ok(again.keys == registered.keys, "got %u\n", again.keys);
    ok(again.values == registered.values, "got %u\n", again.values);
    hr = pDllRegisterServer();
    ok(hr == S_OK, "second DllRegisterServer returned %#lx\n", hr);
    again = take_snapshot();
    ok(again.hash == registered.hash, "second registration changed the registry\n");

    /* Through regsvr32.exe, as users and rendezvous-setup run it. */
    ok(run_regsvr32(L"/s /u") == 0, "regsvr32 /u failed\n");
    check_unregistered();
    again = take_snapshot();
    ok(again.hash == unregistered.hash, "regsvr32 /u left another registry\n");
    ok(run_regsvr32(L"/s") == 0, "regsvr32 failed\n");
    check_registered();
    again = take_snapshot();
    ok(again.hash == registered.hash, "regsvr32 gave another registry\n");
}

/* Registration leaves the applications registry alone: RegisterApplication owns it. */
static void test_applications_key(void)
{
    ok(!key_exists(HKEY_LOCAL_MACHINE, L"Software\\Microsoft\\MessengerService\\SessionManager\\Apps\\"
                   L"{6D3A59B2-5C44-4E52-9B1E-0A7E5C6D7E01}"), "a test application is left registered\n");
}

START_TEST(registration)
{
    HMODULE module;

    CoInitialize(NULL);
    module = LoadLibraryA("msgsc.dll");
    ok(module != NULL, "msgsc.dll not found: %lu\n", GetLastError());
    if (!module)
    {
        CoUninitialize();
        return;
    }
    GetModuleFileNameW(module, dll_path, ARRAY_SIZE(dll_path));
    pDllRegisterServer = (void *)GetProcAddress(module, "DllRegisterServer");
    pDllUnregisterServer = (void *)GetProcAddress(module, "DllUnregisterServer");
    ok(pDllRegisterServer != NULL, "registration entry points not exported\n");
    if (pDllRegisterServer) ok(pDllUnregisterServer != NULL, "registration entry points not exported\n");
    if (pDllRegisterServer && pDllUnregisterServer) test_register_unregister();
    test_applications_key();
    FreeLibrary(module);
    check_unload("msgsc.dll");
    CoUninitialize();
}

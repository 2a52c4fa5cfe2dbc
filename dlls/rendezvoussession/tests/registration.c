/*
 * Conformance tests for rendezvoussession.dll registration
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
 * rendezvoussession_test.exe only.  What Windows documents is tested alone in api.c
 * and typelib.c, which 'make crosstest' also builds for Windows.
 */

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>

#include "rendezvoussession.h"
#include "winerendezvous.h"

#include "wine/test.h"
#include "child.h"
#include "unload.h"

/* The module's own proxies and stubs: as MIDL names it, the IID of the first interface. */
#define MODULE_PROXY_STUB L"{9BA4B1DD-8B0C-48B7-9E7C-2F25857C8DF5}"
static const GUID CLSID_ModuleProxyStub = { 0x9ba4b1dd, 0x8b0c, 0x48b7, { 0x9e, 0x7c, 0x2f, 0x25, 0x85, 0x7c, 0x8d, 0xf5 } };
#define APPS_KEY L"SOFTWARE\\Microsoft\\RendezvousApps"

static const GUID CLSID_AskComponent = { 0xc0b3c446, 0x3032, 0x4016, { 0x92, 0x6f, 0x9b, 0xae, 0x48, 0xbe, 0xbf, 0xbe } };
static const GUID CLSID_OfferComponent = { 0x49010c18, 0xb110, 0x421a, { 0x90, 0x47, 0xad, 0xca, 0x42, 0x1c, 0xbc, 0x40 } };

/* The classes Remote Assistance registers, and the RendezvousApps entries naming them. */
static const GUID *const ra_classes[] =
{
    &CLSID_RendezvousApplication,
    &CLSID_AskComponent,
    &CLSID_OfferComponent,
};

static const struct
{
    const WCHAR *app;
    const WCHAR *name;
    DWORD icon;
    const WCHAR *component;
}
ra_apps[] =
{
    { L"{56b994a7-380f-410b-9985-c809d78c1bdc}", L"Ask for RemoteAssistance", 1,
      L"{C0B3C446-3032-4016-926F-9BAE48BEBFBE}" },
    { L"{703EA1A8-D73E-43e3-852C-EE85B5D872C2}", L"Offer RemoteAssistance", 0,
      L"{49010C18-B110-421a-9047-ADCA421CBC40}" },
};

static WCHAR dll_path[MAX_PATH];
static HRESULT (WINAPI *pDllRegisterServer)(void);
static HRESULT (WINAPI *pDllUnregisterServer)(void);

static BOOL key_exists(const WCHAR *path)
{
    HKEY key;

    if (RegOpenKeyExW(HKEY_CLASSES_ROOT, path, 0, KEY_READ, &key)) return FALSE;
    RegCloseKey(key);
    return TRUE;
}

static BOOL get_string(const WCHAR *path, const WCHAR *value, WCHAR *buffer, DWORD size)
{
    DWORD type, bytes = size * sizeof(WCHAR);
    HKEY key;
    LONG ret;

    if (RegOpenKeyExW(HKEY_CLASSES_ROOT, path, 0, KEY_READ, &key)) return FALSE;
    ret = RegQueryValueExW(key, value, NULL, &type, (BYTE *)buffer, &bytes);
    RegCloseKey(key);
    return !ret && type == REG_SZ;
}

#define check_value(a, b, c) check_value_(__LINE__, a, b, c)
static void check_value_(int line, const WCHAR *path, const WCHAR *value, const WCHAR *expected)
{
    WCHAR buffer[MAX_PATH + 16];

    if (!get_string(path, value, buffer, ARRAY_SIZE(buffer)))
    {
        ok_(__FILE__, line)(0, "%s value %s missing\n", wine_dbgstr_w(path), wine_dbgstr_w(value));
        return;
    }
    ok_(__FILE__, line)(!lstrcmpiW(buffer, expected), "%s value %s: got %s, expected %s\n",
                        wine_dbgstr_w(path), wine_dbgstr_w(value), wine_dbgstr_w(buffer),
                        wine_dbgstr_w(expected));
}

static BOOL hklm_key_exists(const WCHAR *path)
{
    HKEY key;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key)) return FALSE;
    RegCloseKey(key);
    return TRUE;
}

#define check_hklm_value(a, b, c) check_hklm_value_(__LINE__, a, b, c)
static void check_hklm_value_(int line, const WCHAR *path, const WCHAR *value, const WCHAR *expected)
{
    WCHAR buffer[MAX_PATH + 16];
    DWORD size = sizeof(buffer);
    LSTATUS status;

    status = RegGetValueW(HKEY_LOCAL_MACHINE, path, value, RRF_RT_REG_SZ | RRF_NOEXPAND, NULL, buffer, &size);
    ok_(__FILE__, line)(!status, "%s value %s: %ld\n", wine_dbgstr_w(path), wine_dbgstr_w(value), status);
    if (status) return;
    ok_(__FILE__, line)(!lstrcmpiW(buffer, expected), "%s value %s: got %s, expected %s\n",
                        wine_dbgstr_w(path), wine_dbgstr_w(value), wine_dbgstr_w(buffer), wine_dbgstr_w(expected));
}

static void guid_key(WCHAR *buffer, const WCHAR *prefix, const GUID *guid, const WCHAR *suffix)
{
    WCHAR str[40];

    StringFromGUID2(guid, str, ARRAY_SIZE(str));
    swprintf(buffer, MAX_PATH, L"%ls%ls%ls", prefix, str, suffix);
}

static const GUID *const marshaled_interfaces[] =
{
    &IID_IRendezvousSession,
    &IID_IRendezvousApplication,
    &DIID_DRendezvousSessionEvents,
};

/* Everything regsvr32 must write, per spec/API.md and DESIGN.md. */
static void check_registered(void)
{
    const WCHAR *platform = sizeof(void *) == 8 ? L"win64" : L"win32";
    WCHAR path[MAX_PATH], expected[MAX_PATH + 8], libid[40];
    unsigned int i;

    guid_key(path, L"Typelib\\", &LIBID_RendezvousSessionLib, L"\\1.0\\0\\");
    lstrcatW(path, platform);
    check_value(path, NULL, dll_path);
    guid_key(path, L"Typelib\\", &LIBID_RendezvousSessionLib, L"\\1.0\\FLAGS");
    check_value(path, NULL, L"0");

    StringFromGUID2(&LIBID_RendezvousSessionLib, libid, ARRAY_SIZE(libid));
    for (i = 0; i < ARRAY_SIZE(marshaled_interfaces); i++)
    {
        winetest_push_context("%s", wine_dbgstr_guid(marshaled_interfaces[i]));
        guid_key(path, L"Interface\\", marshaled_interfaces[i], L"\\ProxyStubClsid32");
        check_value(path, NULL, MODULE_PROXY_STUB);
        guid_key(path, L"Interface\\", marshaled_interfaces[i], L"\\TypeLib");
        check_value(path, NULL, libid);
        check_value(path, L"Version", L"1.0");
        winetest_pop_context();
    }

    /* The project's own library, TYPELIB resource 2 of the same module. */
    guid_key(path, L"Typelib\\", &LIBID_WineRendezvousLib, L"\\1.0\\0\\");
    lstrcatW(path, platform);
    swprintf(expected, ARRAY_SIZE(expected), L"%ls\\2", dll_path);
    check_value(path, NULL, expected);
    guid_key(path, L"Interface\\", &IID_IRendezvousSessionHost, L"\\ProxyStubClsid32");
    check_value(path, NULL, MODULE_PROXY_STUB);
    /* Their factory is this module, in any apartment. */
    guid_key(path, L"CLSID\\", &CLSID_ModuleProxyStub, L"\\InprocServer32");
    check_value(path, NULL, dll_path);
    check_value(path, L"ThreadingModel", L"Both");

    guid_key(path, L"CLSID\\", &CLSID_RendezvousSession, L"\\InprocServer32");
    check_value(path, NULL, dll_path);
    check_value(path, L"ThreadingModel", L"Both");
    guid_key(path, L"CLSID\\", &CLSID_RendezvousSession, L"\\ProgId");
    check_value(path, NULL, L"WineRendezvous.Session.1");
    guid_key(expected, L"", &CLSID_RendezvousSession, L"");
    check_value(L"WineRendezvous.Session.1\\CLSID", NULL, expected);
    check_value(L"WineRendezvous.Session\\CLSID", NULL, expected);
    check_value(L"WineRendezvous.Session\\CurVer", NULL, L"WineRendezvous.Session.1");

    /* Remote Assistance: the classes (ThreadingModel is an undocumented choice) and
     * the documented RendezvousApps entries; Path names raserver.exe in system32. */
    for (i = 0; i < ARRAY_SIZE(ra_classes); i++)
    {
        winetest_push_context("%s", wine_dbgstr_guid(ra_classes[i]));
        guid_key(path, L"CLSID\\", ra_classes[i], L"\\InprocServer32");
        check_value(path, NULL, dll_path);
        check_value(path, L"ThreadingModel", L"Apartment");
        winetest_pop_context();
    }
    GetEnvironmentVariableW(L"SystemRoot", expected, ARRAY_SIZE(expected));
    lstrcatW(expected, L"\\system32\\raserver.exe");
    for (i = 0; i < ARRAY_SIZE(ra_apps); i++)
    {
        DWORD icon = ~0u, size = sizeof(icon);
        LSTATUS status;

        winetest_push_context("%s", wine_dbgstr_w(ra_apps[i].name));
        swprintf(path, ARRAY_SIZE(path), L"%ls\\%ls", APPS_KEY, ra_apps[i].app);
        check_hklm_value(path, L"Name", ra_apps[i].name);
        check_hklm_value(path, L"RendezvousComponent", ra_apps[i].component);
        check_hklm_value(path, L"Path", expected);
        check_hklm_value(path, L"URL", L"http://www.microsoft.com");
        status = RegGetValueW(HKEY_LOCAL_MACHINE, path, L"Icon", RRF_RT_REG_DWORD, NULL, &icon, &size);
        ok(!status, "Icon: got %ld\n", status);
        ok(icon == ra_apps[i].icon, "Icon: got %lu\n", icon);
        winetest_pop_context();
    }
}

/* raserver.exe /RegServer, run by the test runner and by rendezvous-setup. */
static BOOL local_server_registered(void)
{
    WCHAR path[MAX_PATH];
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(ra_classes); i++)
    {
        guid_key(path, L"CLSID\\", ra_classes[i], L"\\LocalServer32");
        if (!key_exists(path)) return FALSE;
    }
    return TRUE;
}

static void check_unregistered(void)
{
    WCHAR path[MAX_PATH];
    unsigned int i;

    guid_key(path, L"Typelib\\", &LIBID_RendezvousSessionLib, L"");
    ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    guid_key(path, L"Typelib\\", &LIBID_WineRendezvousLib, L"");
    ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    for (i = 0; i < ARRAY_SIZE(marshaled_interfaces); i++)
    {
        guid_key(path, L"Interface\\", marshaled_interfaces[i], L"");
        ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    }
    guid_key(path, L"Interface\\", &IID_IRendezvousSessionHost, L"");
    ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    guid_key(path, L"CLSID\\", &CLSID_ModuleProxyStub, L"");
    ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    guid_key(path, L"CLSID\\", &CLSID_RendezvousSession, L"");
    ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    ok(!key_exists(L"WineRendezvous.Session.1"), "ProgID still exists\n");
    ok(!key_exists(L"WineRendezvous.Session"), "version-independent ProgID still exists\n");

    for (i = 0; i < ARRAY_SIZE(ra_classes); i++)
    {
        guid_key(path, L"CLSID\\", ra_classes[i], L"\\InprocServer32");
        ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
        /* The class key stays only while raserver.exe's LocalServer32 is in it. */
        guid_key(path, L"CLSID\\", ra_classes[i], L"\\LocalServer32");
        if (key_exists(path)) continue;
        guid_key(path, L"CLSID\\", ra_classes[i], L"");
        ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    }
    for (i = 0; i < ARRAY_SIZE(ra_apps); i++)
    {
        swprintf(path, ARRAY_SIZE(path), L"%ls\\%ls", APPS_KEY, ra_apps[i].app);
        ok(!hklm_key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    }
}

/* A digest of every key, value name and value under HKCR: FNV-1a over a
 * depth-first walk in enumeration order.  Two equal digests mean that
 * unregistering took away exactly what registering added. */
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
        L"Software\\Classes\\CLSID", L"Software\\Classes\\Interface",
        L"Software\\Classes\\Typelib", L"Software\\Classes\\WineRendezvous.Session",
        L"Software\\Classes\\WineRendezvous.Session.1", L"Software\\Microsoft\\RendezvousApps",
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
    ok(unregistered.keys < registered.keys, "unregistering removed no key (%u, %u)\n",
       unregistered.keys, registered.keys);

    /* Unregistering twice is harmless. */
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

    /* Registering twice is idempotent. */
    hr = pDllRegisterServer();
    ok(hr == S_OK, "second DllRegisterServer returned %#lx\n", hr);
    again = take_snapshot();
    ok(again.hash == registered.hash, "second registration changed the registry\n");

    /* The same through regsvr32.exe, as users and installers run it. */
    ok(run_regsvr32(L"/s /u") == 0, "regsvr32 /u failed\n");
    check_unregistered();
    again = take_snapshot();
    ok(again.hash == unregistered.hash, "regsvr32 /u left another registry (%u/%u keys)\n", again.keys, unregistered.keys);
    ok(again.keys == unregistered.keys, "got %u\n", again.keys);

    ok(run_regsvr32(L"/s") == 0, "regsvr32 failed\n");
    check_registered();
    again = take_snapshot();
    ok(again.hash == registered.hash, "regsvr32 gave another registry\n");
}

static DWORD run_command(const WCHAR *exe, const WCHAR *options)
{
    WCHAR cmdline[MAX_PATH * 2];
    PROCESS_INFORMATION pi;
    STARTUPINFOW si = { sizeof(si) };
    DWORD ret = ~0u;

    swprintf(cmdline, ARRAY_SIZE(cmdline), L"\"%ls\" %ls", exe, options);
    if (!create_process_w(cmdline, FALSE, &si, &pi))
    {
        ok(0, "CreateProcess(%s) failed: %lu\n", wine_dbgstr_w(cmdline), GetLastError());
        return ret;
    }
    ok(WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0, "%s did not finish\n", wine_dbgstr_w(cmdline));
    GetExitCodeProcess(pi.hProcess, &ret);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return ret;
}

/* LocalServer32 belongs to raserver.exe: /RegServer writes it with the server's
 * own quoted path, /UnregServer takes it away; both idempotent. */
static void test_local_server(void)
{
    struct snapshot registered, again;
    WCHAR path[MAX_PATH], value[MAX_PATH + 8], exe[MAX_PATH];
    unsigned int i;
    size_t len;

    ok(local_server_registered(), "raserver.exe /RegServer did not run\n");
    if (!local_server_registered()) return;
    guid_key(path, L"CLSID\\", &CLSID_AskComponent, L"\\LocalServer32");
    ok(get_string(path, NULL, value, ARRAY_SIZE(value)), "no LocalServer32 value\n");
    len = lstrlenW(value);
    ok(len > 2, "not quoted: got %Iu\n", len);
    ok(value[0] == '"', "not quoted: %s\n", wine_dbgstr_w(value));
    ok(value[len - 1] == '"', "not quoted: %s\n", wine_dbgstr_w(value));
    if (len <= 2) return;
    lstrcpynW(exe, value + 1, len - 1);
    ok(GetFileAttributesW(exe) != INVALID_FILE_ATTRIBUTES, "%s does not exist\n", wine_dbgstr_w(exe));
    for (i = 0; i < ARRAY_SIZE(ra_classes); i++)
    {
        guid_key(path, L"CLSID\\", ra_classes[i], L"\\LocalServer32");
        check_value(path, NULL, value);
    }
    registered = take_snapshot();

    ok(run_command(exe, L"/UnregServer") == 0, "/UnregServer failed\n");
    ok(!local_server_registered(), "LocalServer32 still registered\n");
    for (i = 0; i < ARRAY_SIZE(ra_classes); i++)
    {
        guid_key(path, L"CLSID\\", ra_classes[i], L"\\LocalServer32");
        ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
        guid_key(path, L"CLSID\\", ra_classes[i], L"\\InprocServer32");
        ok(key_exists(path), "the DLL's %s went too\n", wine_dbgstr_w(path));
    }
    ok(run_command(exe, L"-UnregServer") == 0, "second /UnregServer failed\n");

    /* With both unregistered, nothing is left of the classes. */
    ok(pDllUnregisterServer() == S_OK, "DllUnregisterServer failed\n");
    for (i = 0; i < ARRAY_SIZE(ra_classes); i++)
    {
        guid_key(path, L"CLSID\\", ra_classes[i], L"");
        ok(!key_exists(path), "%s still exists\n", wine_dbgstr_w(path));
    }
    ok(pDllRegisterServer() == S_OK, "DllRegisterServer failed\n");

    ok(run_command(exe, L"/RegServer") == 0, "/RegServer failed\n");
    ok(run_command(exe, L"/regserver") == 0, "second /RegServer failed\n");
    ok(local_server_registered(), "LocalServer32 not registered again\n");
    again = take_snapshot();
    ok(again.hash == registered.hash, "unregistering and registering again gave another registry (%u/%u keys)\n", again.keys, registered.keys);
    ok(again.keys == registered.keys, "got %u\n", again.keys);

    ok(run_command(exe, L"/bogus") == 2, "unknown switch accepted\n");
}

static void test_unknown_class(void)
{
    static const GUID clsid_unknown = {0xdeadbeef, 0x1234, 0x5678, {0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78}};
    IUnknown *unk = (IUnknown *)0xdeadbeef;
    HRESULT hr;

    hr = CoCreateInstance(&clsid_unknown, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
    ok(hr == REGDB_E_CLASSNOTREG, "got %#lx\n", hr);
    ok(!unk, "got %p\n", unk);

    hr = CoCreateInstance(&clsid_unknown, NULL, CLSCTX_ALL, &IID_IUnknown, (void **)&unk);
    ok(hr == REGDB_E_CLASSNOTREG, "got %#lx\n", hr);
}

static void test_create_registered(void)
{
    IRendezvousSession *session;
    IUnknown *unk;
    CLSID clsid;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_RendezvousSession, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "CoCreateInstance returned %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IUnknown_QueryInterface(unk, &IID_IRendezvousSession, (void **)&session);
    ok(hr == S_OK, "QueryInterface returned %#lx\n", hr);
    if (hr == S_OK) IRendezvousSession_Release(session);
    IUnknown_Release(unk);

    hr = CLSIDFromProgID(L"WineRendezvous.Session", &clsid);
    ok(hr == S_OK, "CLSIDFromProgID returned %#lx\n", hr);
    ok(IsEqualGUID(&clsid, &CLSID_RendezvousSession), "got %s\n", wine_dbgstr_guid(&clsid));
}

START_TEST(registration)
{
    HMODULE module;

    CoInitialize(NULL);

    module = LoadLibraryA("rendezvoussession.dll");
    ok(module != NULL, "rendezvoussession.dll not found: %lu\n", GetLastError());
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

    if (pDllRegisterServer && pDllUnregisterServer)
    {
        test_register_unregister();
        test_local_server();
    }
    test_unknown_class();
    test_create_registered();

    FreeLibrary(module);
    check_unload("rendezvoussession.dll");
    CoUninitialize();
}

/*
 * rvclient: checks an installed prefix the way a client program sees it
 *
 * Finds every class and type library registered for this project's modules
 * (InprocServer32 / LocalServer32 / Typelib paths naming them), creates each
 * class with CoCreateInstance (the factory of proxies and stubs: its
 * IPSFactoryBuffer) and loads each library with LoadRegTypeLib.
 * Prints one line per check and exits with the number of failures.
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

#define COBJMACROS

#include <stdio.h>
#include <windows.h>
#include <ole2.h>

/* The modules whose registrations count. */
static const WCHAR *const modules[] = { L"rendezvoussession.dll", L"raserver.exe", L"msgsc.dll" };

static int failures, checks;

static void report(BOOL good, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void report(BOOL good, const char *format, ...)
{
    va_list args;

    checks++;
    if (!good) failures++;
    fputs(good ? "ok: " : "FAILED: ", stdout);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fputc('\n', stdout);
}

/* Whether a registered path (possibly quoted, with arguments or a "\N"
 * resource suffix) names one of our modules. */
static BOOL is_ours(const WCHAR *path)
{
    unsigned int i;
    WCHAR lower[MAX_PATH * 2];

    lstrcpynW(lower, path, ARRAYSIZE(lower));
    CharLowerW(lower);
    for (i = 0; i < ARRAYSIZE(modules); i++)
        if (wcsstr(lower, modules[i])) return TRUE;
    return FALSE;
}

static BOOL read_default(HKEY root, const WCHAR *path, WCHAR *buffer, DWORD size)
{
    DWORD type, bytes = size * sizeof(WCHAR);
    HKEY key;
    LONG ret;

    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key)) return FALSE;
    ret = RegQueryValueExW(key, NULL, NULL, &type, (BYTE *)buffer, &bytes);
    RegCloseKey(key);
    return !ret && (type == REG_SZ || type == REG_EXPAND_SZ);
}

/* Whether some HKCR\Interface\{iid}\ProxyStubClsid32 names clsid. */
static BOOL is_proxy_factory(const CLSID *clsid)
{
    WCHAR iid[64], path[128], value[64];
    BOOL found = FALSE;
    HKEY interfaces;
    DWORD index, len;
    CLSID named;

    if (RegOpenKeyExW(HKEY_CLASSES_ROOT, L"Interface", 0, KEY_READ, &interfaces)) return FALSE;
    for (index = 0; !found; index++)
    {
        len = ARRAYSIZE(iid);
        if (RegEnumKeyExW(interfaces, index, iid, &len, NULL, NULL, NULL, NULL)) break;
        swprintf(path, ARRAYSIZE(path), L"%ls\\ProxyStubClsid32", iid);
        found = read_default(interfaces, path, value, ARRAYSIZE(value)) && SUCCEEDED(CLSIDFromString(value, &named)) &&
                IsEqualCLSID(&named, clsid);
    }
    RegCloseKey(interfaces);
    return found;
}

static void check_classes(void)
{
    WCHAR name[64], path[MAX_PATH * 2], value[MAX_PATH * 2];
    DWORD index, len;
    HKEY clsid_key;
    int found = 0;

    if (RegOpenKeyExW(HKEY_CLASSES_ROOT, L"CLSID", 0, KEY_READ, &clsid_key))
    {
        report(FALSE, "cannot open HKCR\\CLSID");
        return;
    }
    for (index = 0;; index++)
    {
        BOOL inproc, local;
        IUnknown *unk;
        CLSID clsid;
        HRESULT hr;

        len = ARRAYSIZE(name);
        if (RegEnumKeyExW(clsid_key, index, name, &len, NULL, NULL, NULL, NULL)) break;
        swprintf(path, ARRAYSIZE(path), L"%ls\\InprocServer32", name);
        inproc = read_default(clsid_key, path, value, ARRAYSIZE(value)) && is_ours(value);
        swprintf(path, ARRAYSIZE(path), L"%ls\\LocalServer32", name);
        local = read_default(clsid_key, path, value, ARRAYSIZE(value)) && is_ours(value);
        if (!inproc && !local) continue;
        if (FAILED(CLSIDFromString(name, &clsid))) continue;
        found++;

        if (inproc)
        {
            IPSFactoryBuffer *factory;

            /* The factory of proxies and stubs that ProxyStubClsid32 names makes
             * no objects of its own: its class object is an IPSFactoryBuffer. */
            hr = CoGetClassObject(&clsid, CLSCTX_INPROC_SERVER, NULL, &IID_IPSFactoryBuffer, (void **)&factory);
            if (hr == S_OK)
            {
                report(is_proxy_factory(&clsid), "CoGetClassObject(%ls) is the IPSFactoryBuffer of a registered "
                       "interface", name);
                IPSFactoryBuffer_Release(factory);
                continue;
            }
            hr = CoCreateInstance(&clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk);
            report(hr == S_OK, "CoCreateInstance(%ls, CLSCTX_INPROC_SERVER) = %#lx", name, hr);
            if (hr == S_OK) IUnknown_Release(unk);
        }
        if (local)
        {
            hr = CoCreateInstance(&clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IUnknown, (void **)&unk);
            report(hr == S_OK, "CoCreateInstance(%ls, CLSCTX_LOCAL_SERVER) = %#lx", name, hr);
            if (hr == S_OK) IUnknown_Release(unk);
        }
    }
    RegCloseKey(clsid_key);
    report(found > 0, "%d registered classes found", found);
}

static void check_typelibs(void)
{
    WCHAR libid[64], version[32], path[MAX_PATH * 2], value[MAX_PATH * 2];
    DWORD i, j, len;
    HKEY typelib_key, lib_key;
    int found = 0;

    if (RegOpenKeyExW(HKEY_CLASSES_ROOT, L"Typelib", 0, KEY_READ, &typelib_key))
    {
        report(FALSE, "cannot open HKCR\\Typelib");
        return;
    }
    for (i = 0;; i++)
    {
        len = ARRAYSIZE(libid);
        if (RegEnumKeyExW(typelib_key, i, libid, &len, NULL, NULL, NULL, NULL)) break;
        if (RegOpenKeyExW(typelib_key, libid, 0, KEY_READ, &lib_key)) continue;
        for (j = 0;; j++)
        {
            unsigned int major, minor;
            ITypeLib *lib;
            GUID guid;
            HRESULT hr;

            len = ARRAYSIZE(version);
            if (RegEnumKeyExW(lib_key, j, version, &len, NULL, NULL, NULL, NULL)) break;
            swprintf(path, ARRAYSIZE(path), L"%ls\\0\\%ls", version, sizeof(void *) == 8 ? L"win64" : L"win32");
            if (!read_default(lib_key, path, value, ARRAYSIZE(value)) || !is_ours(value)) continue;
            if (swscanf(version, L"%x.%x", &major, &minor) != 2 || FAILED(CLSIDFromString(libid, &guid)))
                continue;
            found++;
            hr = LoadRegTypeLib(&guid, major, minor, LOCALE_SYSTEM_DEFAULT, &lib);
            report(hr == S_OK, "LoadRegTypeLib(%ls, %u.%u) = %#lx", libid, major, minor, hr);
            if (hr == S_OK) ITypeLib_Release(lib);
        }
        RegCloseKey(lib_key);
    }
    RegCloseKey(typelib_key);
    report(found > 0, "%d registered type libraries found", found);
}

int main(void)
{
    CoInitialize(NULL);
    check_classes();
    check_typelibs();
    CoUninitialize();
    printf("rvclient: %d checks, %d failures\n", checks, failures);
    return failures;
}

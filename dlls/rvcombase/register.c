/*
 * DLL registration shared by rendezvoussession.dll and msgsc.dll
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

#include <windows.h>
#include <ole2.h>

#include "register.h"

#ifdef WINE_NO_WINECRT0

/* Where the machine has no winecrt0 for this architecture (Debian's amd64
 * packages ship Wine's PE libraries for x86_64 only), the module provides the
 * two functions itself, as winecrt0 defines them: every WINE_REGISTRY resource
 * of the module goes through ATL's registrar with %MODULE% and %SystemRoot%. */

#include "atliface.h"
#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

extern IMAGE_DOS_HEADER __ImageBase;

static HMODULE atl100;

struct registration
{
    IRegistrar *registrar;
    BOOL do_register;
    HRESULT result;
};

static HRESULT create_registrar(HMODULE module, IRegistrar **registrar)
{
    HRESULT (WINAPI *pAtlCreateRegistrar)(IRegistrar **);
    WCHAR path[MAX_PATH];
    DWORD len;
    HRESULT hr;

    /* atl100 stays loaded: the registrar's code lives there. */
    if (!atl100 && !(atl100 = LoadLibraryW(L"atl100.dll")))
    {
        ERR("atl100.dll not found\n");
        return HRESULT_FROM_WIN32(GetLastError());
    }
    if (!(pAtlCreateRegistrar = (void *)GetProcAddress(atl100, "AtlCreateRegistrar")))
        return E_NOINTERFACE;
    if (FAILED(hr = pAtlCreateRegistrar(registrar))) return hr;

    len = GetModuleFileNameW(module, path, ARRAYSIZE(path));
    if (!len || len >= ARRAYSIZE(path))
    {
        IRegistrar_Release(*registrar);
        *registrar = NULL;
        return E_FAIL;
    }
    IRegistrar_AddReplacement(*registrar, L"MODULE", path);
    len = GetEnvironmentVariableW(L"SystemRoot", path, ARRAYSIZE(path));
    if (len && len < ARRAYSIZE(path)) IRegistrar_AddReplacement(*registrar, L"SystemRoot", path);
    return S_OK;
}

static BOOL CALLBACK run_registry_script(HMODULE module, const WCHAR *type, WCHAR *name, LONG_PTR arg)
{
    struct registration *reg = (struct registration *)arg;
    HRSRC resource = FindResourceW(module, name, type);
    const char *script = resource ? LoadResource(module, resource) : NULL;
    DWORD size = resource ? SizeofResource(module, resource) : 0;
    WCHAR *buffer;
    int len;

    if (!script || !size)
    {
        reg->result = E_FAIL;
        return FALSE;
    }
    if (!reg->registrar && FAILED(reg->result = create_registrar(module, &reg->registrar))) return FALSE;

    len = MultiByteToWideChar(CP_UTF8, 0, script, size, NULL, 0);
    if (!(buffer = malloc((len + 1) * sizeof(WCHAR))))
    {
        reg->result = E_OUTOFMEMORY;
        return FALSE;
    }
    MultiByteToWideChar(CP_UTF8, 0, script, size, buffer, len);
    buffer[len] = 0;

    if (reg->do_register) reg->result = IRegistrar_StringRegister(reg->registrar, buffer);
    else reg->result = IRegistrar_StringUnregister(reg->registrar, buffer);
    free(buffer);
    if (FAILED(reg->result)) ERR("registry script failed: %#lx\n", reg->result);
    return SUCCEEDED(reg->result);
}

static HRESULT run_registry_scripts(BOOL do_register)
{
    struct registration reg = { NULL, do_register, S_OK };

    EnumResourceNamesW((HMODULE)&__ImageBase, L"WINE_REGISTRY", run_registry_script, (LONG_PTR)&reg);
    if (reg.registrar) IRegistrar_Release(reg.registrar);
    return reg.result;
}

HRESULT __cdecl __wine_register_resources(void)
{
    return run_registry_scripts(TRUE);
}

HRESULT __cdecl __wine_unregister_resources(void)
{
    return run_registry_scripts(FALSE);
}

#endif /* WINE_NO_WINECRT0 */

/* widl's scripts keep HKCR\Typelib\{libid} (NoRemove), since other versions of a
 * library may share it; drop it when unregistering left it empty, so that
 * regsvr32 /u takes away exactly what regsvr32 added. */
void remove_empty_typelib_key(const GUID *libid)
{
    WCHAR name[64];

    lstrcpyW(name, L"Typelib\\");
    StringFromGUID2(libid, name + lstrlenW(name), 39);
    RegDeleteKeyW(HKEY_CLASSES_ROOT, name);
}

/*
 * Conformance tests for the RendezvousSessionLib type library
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
 * Documented facts only (spec/API.md, part A: GUIDs, DISPIDs, enum values,
 * slot order and the types of RendezvousSessionLib): this unit and api.c form
 * rendezvoussession_crosstest.exe ('make crosstest'), built with mingw's
 * headers and libraries alone, which checks the same facts on Windows.  Where
 * Windows has no registered RendezvousSessionLib 1.x (where it is installed is
 * not documented), win_skip says so; under Wine that is a failure.  The
 * project's choices about the library (its version, the WineRendezvousLib
 * beside it) are tested in extension.c.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "rendezvoussession.h"

#include "wine/test.h"

/* The GUIDs, as spec/API.md lists them, checked against the header's constants. */
static void test_guids(void)
{
    static const struct
    {
        const GUID *guid;
        const WCHAR *str;
    }
    guids[] =
    {
        { &CLSID_RendezvousApplication, L"{0B7E019A-B5DE-47FA-8966-9082F82FB192}" },
        { &IID_IRendezvousSession, L"{9BA4B1DD-8B0C-48B7-9E7C-2F25857C8DF5}" },
        { &IID_IRendezvousApplication, L"{4F4D070B-A275-49FB-B10D-8EC26387B50D}" },
        { &DIID_DRendezvousSessionEvents, L"{3FA19CF8-64C4-4F53-AE60-635B3806ECA6}" },
        { &LIBID_RendezvousSessionLib, L"{EFD856A4-5A85-4A1B-ADD5-2EADACE6F6A2}" },
    };
    unsigned int i;
    HRESULT hr;
    GUID guid;

    for (i = 0; i < ARRAY_SIZE(guids); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(guids[i].str));
        hr = CLSIDFromString(guids[i].str, &guid);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(IsEqualGUID(&guid, guids[i].guid), "header has %s\n", wine_dbgstr_guid(guids[i].guid));
        winetest_pop_context();
    }

    ok(DISPID_EVENT_ON_STATE_CHANGED == 5, "got %d\n", DISPID_EVENT_ON_STATE_CHANGED);
    ok(DISPID_EVENT_ON_TERMINATION == 6, "got %d\n", DISPID_EVENT_ON_TERMINATION);
    ok(DISPID_EVENT_ON_CONTEXT_DATA == 7, "got %d\n", DISPID_EVENT_ON_CONTEXT_DATA);
    ok(DISPID_EVENT_ON_SEND_ERROR == 8, "got %d\n", DISPID_EVENT_ON_SEND_ERROR);

    ok(RSS_UNKNOWN == 0, "got %d\n", RSS_UNKNOWN);
    ok(RSS_READY == 1, "got %d\n", RSS_READY);
    ok(RSS_INVITATION == 2, "got %d\n", RSS_INVITATION);
    ok(RSS_ACCEPTED == 3, "got %d\n", RSS_ACCEPTED);
    ok(RSS_CONNECTED == 4, "got %d\n", RSS_CONNECTED);
    ok(RSS_CANCELLED == 5, "got %d\n", RSS_CANCELLED);
    ok(RSS_DECLINED == 6, "got %d\n", RSS_DECLINED);
    ok(RSS_TERMINATED == 7, "got %d\n", RSS_TERMINATED);
    ok(RSF_NONE == 0, "got %d\n", RSF_NONE);
    ok(RSF_INVITER == 1, "got %d\n", RSF_INVITER);
    ok(RSF_INVITEE == 2, "got %d\n", RSF_INVITEE);
    ok(RSF_ORIGINAL_INVITER == 4, "got %d\n", RSF_ORIGINAL_INVITER);
    ok(RSF_REMOTE_LEGACYSESSION == 8, "got %d\n", RSF_REMOTE_LEGACYSESSION);
    ok(RSF_REMOTE_WIN7SESSION == 0x10, "got %#x\n", RSF_REMOTE_WIN7SESSION);
}

/* The C vtables must have the documented slot order, whatever the typelib says. */
static void test_vtable_layout(void)
{
#define SLOT(type, member, slot) \
    ok(FIELD_OFFSET(type, member) == (slot) * sizeof(void *), #member " is slot %u\n", \
       (unsigned int)(FIELD_OFFSET(type, member) / sizeof(void *)))
    SLOT(IRendezvousSessionVtbl, get_State, 3);
    SLOT(IRendezvousSessionVtbl, get_RemoteUser, 4);
    SLOT(IRendezvousSessionVtbl, get_Flags, 5);
    SLOT(IRendezvousSessionVtbl, SendContextData, 6);
    SLOT(IRendezvousSessionVtbl, Terminate, 7);
    SLOT(IRendezvousApplicationVtbl, SetRendezvousSession, 3);
#undef SLOT
    ok(sizeof(IRendezvousSessionVtbl) == 8 * sizeof(void *), "IRendezvousSessionVtbl has %u slots\n",
       (unsigned int)(sizeof(IRendezvousSessionVtbl) / sizeof(void *)));
    ok(sizeof(IRendezvousApplicationVtbl) == 4 * sizeof(void *), "IRendezvousApplicationVtbl has %u slots\n",
       (unsigned int)(sizeof(IRendezvousApplicationVtbl) / sizeof(void *)));
}

struct param_info
{
    const WCHAR *name;
    VARTYPE vt;         /* VT_PTR means a pointer to ptr_vt */
    VARTYPE ptr_vt;
    USHORT flags;
};

struct func_info
{
    const WCHAR *name;
    MEMBERID memid;     /* -1: not checked (assigned by the IDL compiler) */
    INVOKEKIND invkind;
    FUNCKIND funckind;
    VARTYPE ret_vt;
    SHORT params;
    struct param_info param[2];
};

#define P_IN    PARAMFLAG_FIN
#define P_OUTRET  (PARAMFLAG_FOUT | PARAMFLAG_FRETVAL)

static const struct func_info session_funcs[] =
{
    { L"State", -1, INVOKE_PROPERTYGET, FUNC_PUREVIRTUAL, VT_HRESULT, 1,
      { { L"pSessionState", VT_PTR, VT_USERDEFINED, P_OUTRET } } },
    { L"RemoteUser", -1, INVOKE_PROPERTYGET, FUNC_PUREVIRTUAL, VT_HRESULT, 1,
      { { L"bstrUserName", VT_PTR, VT_BSTR, P_OUTRET } } },
    { L"Flags", -1, INVOKE_PROPERTYGET, FUNC_PUREVIRTUAL, VT_HRESULT, 1,
      { { L"pFlags", VT_PTR, VT_I4, P_OUTRET } } },
    { L"SendContextData", -1, INVOKE_FUNC, FUNC_PUREVIRTUAL, VT_HRESULT, 1,
      { { L"bstrData", VT_BSTR, 0, P_IN } } },
    { L"Terminate", -1, INVOKE_FUNC, FUNC_PUREVIRTUAL, VT_HRESULT, 2,
      { { L"hr", VT_HRESULT, 0, P_IN }, { L"bstrAppData", VT_BSTR, 0, P_IN } } },
};

static const struct func_info application_funcs[] =
{
    { L"SetRendezvousSession", -1, INVOKE_FUNC, FUNC_PUREVIRTUAL, VT_HRESULT, 1,
      { { L"pRendezvousSession", VT_UNKNOWN, 0, P_IN } } },
};

static const struct func_info events_funcs[] =
{
    { L"OnStateChanged", 5, INVOKE_FUNC, FUNC_DISPATCH, VT_VOID, 1,
      { { L"prevState", VT_USERDEFINED, 0, P_IN } } },
    { L"OnTermination", 6, INVOKE_FUNC, FUNC_DISPATCH, VT_VOID, 2,
      { { L"hr", VT_I4, 0, P_IN }, { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"OnContextData", 7, INVOKE_FUNC, FUNC_DISPATCH, VT_VOID, 1,
      { { L"bstrData", VT_BSTR, 0, P_IN } } },
    { L"OnSendError", 8, INVOKE_FUNC, FUNC_DISPATCH, VT_VOID, 1,
      { { L"hr", VT_I4, 0, P_IN } } },
};

/* A VT_USERDEFINED parameter must refer to the RENDEZVOUS_SESSION_STATE enum. */
static void check_userdefined(ITypeInfo *info, HREFTYPE href, const WCHAR *expected, int line)
{
    ITypeInfo *ref;
    BSTR name;
    HRESULT hr;

    hr = ITypeInfo_GetRefTypeInfo(info, href, &ref);
    ok_(__FILE__, line)(hr == S_OK, "GetRefTypeInfo returned %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = ITypeInfo_GetDocumentation(ref, MEMBERID_NIL, &name, NULL, NULL, NULL);
    ok_(__FILE__, line)(hr == S_OK, "GetDocumentation returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok_(__FILE__, line)(!lstrcmpW(name, expected), "got type %s\n", wine_dbgstr_w(name));
        SysFreeString(name);
    }
    ITypeInfo_Release(ref);
}

static void check_funcs(ITypeInfo *info, const struct func_info *funcs, unsigned int count,
                        unsigned int first_slot, int line)
{
    unsigned int i, j;
    FUNCDESC *desc;
    BSTR names[3];
    UINT name_count;
    HRESULT hr;

    for (i = 0; i < count; i++)
    {
        const struct func_info *expect = funcs + i;

        winetest_push_context("%s", wine_dbgstr_w(expect->name));
        hr = ITypeInfo_GetFuncDesc(info, i, &desc);
        ok_(__FILE__, line)(hr == S_OK, "GetFuncDesc returned %#lx\n", hr);
        if (FAILED(hr))
        {
            winetest_pop_context();
            continue;
        }

        hr = ITypeInfo_GetNames(info, desc->memid, names, ARRAY_SIZE(names), &name_count);
        ok_(__FILE__, line)(hr == S_OK, "GetNames returned %#lx\n", hr);
        ok_(__FILE__, line)(name_count == 1 + (UINT)expect->params, "got %u names\n", name_count);
        if (hr == S_OK && name_count)
            ok_(__FILE__, line)(!lstrcmpW(names[0], expect->name), "got name %s\n", wine_dbgstr_w(names[0]));

        if (expect->memid != -1)
            ok_(__FILE__, line)(desc->memid == expect->memid, "got memid %#lx\n", desc->memid);
        ok_(__FILE__, line)(desc->invkind == expect->invkind, "got invkind %d\n", desc->invkind);
        ok_(__FILE__, line)(desc->funckind == expect->funckind, "got funckind %d\n", desc->funckind);
        ok_(__FILE__, line)(desc->callconv == CC_STDCALL, "got callconv %d\n", desc->callconv);
        ok_(__FILE__, line)(desc->cParams == expect->params, "got %d params\n", desc->cParams);
        ok_(__FILE__, line)(desc->cParamsOpt == 0, "got %d optional params\n", desc->cParamsOpt);
        ok_(__FILE__, line)(desc->elemdescFunc.tdesc.vt == expect->ret_vt, "got return vt %d\n",
                            desc->elemdescFunc.tdesc.vt);
        if (expect->funckind == FUNC_PUREVIRTUAL)
            ok_(__FILE__, line)(desc->oVft == (SHORT)((first_slot + i) * sizeof(void *)), "got oVft %d\n", desc->oVft);

        for (j = 0; j < (unsigned int)expect->params && j < (unsigned int)desc->cParams; j++)
        {
            const struct param_info *p = expect->param + j;
            ELEMDESC *elem = desc->lprgelemdescParam + j;

            winetest_push_context("param %u", j);
            if (hr == S_OK && j + 1 < name_count)
                ok_(__FILE__, line)(!lstrcmpW(names[j + 1], p->name), "got name %s\n",
                                    wine_dbgstr_w(names[j + 1]));
            ok_(__FILE__, line)(elem->tdesc.vt == p->vt, "got vt %d\n", elem->tdesc.vt);
            if (elem->tdesc.vt == VT_PTR && p->vt == VT_PTR)
            {
                ok_(__FILE__, line)(elem->tdesc.lptdesc->vt == p->ptr_vt, "got pointee vt %d\n",
                                    elem->tdesc.lptdesc->vt);
                if (elem->tdesc.lptdesc->vt == VT_USERDEFINED)
                    check_userdefined(info, elem->tdesc.lptdesc->hreftype, L"RENDEZVOUS_SESSION_STATE", line);
            }
            if (elem->tdesc.vt == VT_USERDEFINED && p->vt == VT_USERDEFINED)
                check_userdefined(info, elem->tdesc.hreftype, L"RENDEZVOUS_SESSION_STATE", line);
            ok_(__FILE__, line)(elem->paramdesc.wParamFlags == p->flags, "got flags %#x\n",
                                elem->paramdesc.wParamFlags);
            winetest_pop_context();
        }

        for (j = 0; hr == S_OK && j < name_count; j++) SysFreeString(names[j]);
        ITypeInfo_ReleaseFuncDesc(info, desc);
        winetest_pop_context();
    }
}

static ITypeInfo *get_typeinfo_checked(ITypeLib *lib, const GUID *guid, const WCHAR *name,
                                       TYPEKIND kind, TYPEATTR **attr)
{
    ITypeInfo *info = NULL;
    BSTR doc_name;
    HRESULT hr;

    *attr = NULL;
    hr = ITypeLib_GetTypeInfoOfGuid(lib, guid, &info);
    ok(hr == S_OK, "GetTypeInfoOfGuid(%s) returned %#lx\n", wine_dbgstr_w(name), hr);
    if (FAILED(hr)) return NULL;

    hr = ITypeInfo_GetDocumentation(info, MEMBERID_NIL, &doc_name, NULL, NULL, NULL);
    ok(hr == S_OK, "GetDocumentation returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(!lstrcmpW(doc_name, name), "got name %s, expected %s\n", wine_dbgstr_w(doc_name),
           wine_dbgstr_w(name));
        SysFreeString(doc_name);
    }

    hr = ITypeInfo_GetTypeAttr(info, attr);
    ok(hr == S_OK, "GetTypeAttr returned %#lx\n", hr);
    if (FAILED(hr))
    {
        ITypeInfo_Release(info);
        return NULL;
    }
    ok(IsEqualGUID(&(*attr)->guid, guid), "got guid %s\n", wine_dbgstr_guid(&(*attr)->guid));
    ok((*attr)->typekind == kind, "%s: got typekind %d\n", wine_dbgstr_w(name), (*attr)->typekind);
    return info;
}

static void check_base_interface(ITypeInfo *info, const GUID *base, int line)
{
    ITypeInfo *base_info;
    TYPEATTR *attr;
    HREFTYPE href;
    HRESULT hr;

    hr = ITypeInfo_GetRefTypeOfImplType(info, 0, &href);
    ok_(__FILE__, line)(hr == S_OK, "GetRefTypeOfImplType returned %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = ITypeInfo_GetRefTypeInfo(info, href, &base_info);
    ok_(__FILE__, line)(hr == S_OK, "GetRefTypeInfo returned %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = ITypeInfo_GetTypeAttr(base_info, &attr);
    ok_(__FILE__, line)(hr == S_OK, "GetTypeAttr returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok_(__FILE__, line)(IsEqualGUID(&attr->guid, base), "got base %s\n", wine_dbgstr_guid(&attr->guid));
        ITypeInfo_ReleaseTypeAttr(base_info, attr);
    }
    ITypeInfo_Release(base_info);
}

static void test_session_interface(ITypeLib *lib)
{
    ITypeInfo *info;
    TYPEATTR *attr;

    info = get_typeinfo_checked(lib, &IID_IRendezvousSession, L"IRendezvousSession", TKIND_INTERFACE, &attr);
    if (!info) return;
    ok(attr->cFuncs == ARRAY_SIZE(session_funcs), "got %u functions\n", attr->cFuncs);
    ok(attr->cVars == 0, "got %u variables\n", attr->cVars);
    ok(attr->cImplTypes == 1, "got %u implemented types\n", attr->cImplTypes);
    ok(attr->cbSizeVft == 8 * sizeof(void *), "got vtable size %u\n", attr->cbSizeVft);
    ok(attr->wTypeFlags & TYPEFLAG_FOLEAUTOMATION, "got flags %#x\n", attr->wTypeFlags);
    ok(!(attr->wTypeFlags & TYPEFLAG_FDUAL), "got flags %#x\n", attr->wTypeFlags);
    ok(!(attr->wTypeFlags & TYPEFLAG_FDISPATCHABLE), "got flags %#x\n", attr->wTypeFlags);
    check_base_interface(info, &IID_IUnknown, __LINE__);
    check_funcs(info, session_funcs, ARRAY_SIZE(session_funcs), 3, __LINE__);
    ITypeInfo_ReleaseTypeAttr(info, attr);
    ITypeInfo_Release(info);
}

static void test_application_interface(ITypeLib *lib)
{
    ITypeInfo *info;
    TYPEATTR *attr;

    info = get_typeinfo_checked(lib, &IID_IRendezvousApplication, L"IRendezvousApplication",
                                TKIND_INTERFACE, &attr);
    if (!info) return;
    ok(attr->cFuncs == 1, "got %u functions\n", attr->cFuncs);
    ok(attr->cbSizeVft == 4 * sizeof(void *), "got vtable size %u\n", attr->cbSizeVft);
    ok(attr->wTypeFlags & TYPEFLAG_FOLEAUTOMATION, "not oleautomation: %#x\n", attr->wTypeFlags);
    ok(!(attr->wTypeFlags & TYPEFLAG_FDUAL), "dual: %#x\n", attr->wTypeFlags);
    check_base_interface(info, &IID_IUnknown, __LINE__);
    check_funcs(info, application_funcs, ARRAY_SIZE(application_funcs), 3, __LINE__);
    ITypeInfo_ReleaseTypeAttr(info, attr);
    ITypeInfo_Release(info);
}

static void test_events_dispinterface(ITypeLib *lib)
{
    static const WCHAR *names[] = { L"OnStateChanged", L"OnTermination", L"OnContextData", L"OnSendError" };
    ITypeInfo *info;
    TYPEATTR *attr;
    MEMBERID memid;
    unsigned int i;
    HRESULT hr;

    info = get_typeinfo_checked(lib, &DIID_DRendezvousSessionEvents, L"DRendezvousSessionEvents",
                                TKIND_DISPATCH, &attr);
    if (!info) return;
    ok(attr->cFuncs == ARRAY_SIZE(events_funcs), "got %u functions\n", attr->cFuncs);
    ok(attr->cVars == 0, "got %u properties\n", attr->cVars);
    ok(attr->wTypeFlags & TYPEFLAG_FDISPATCHABLE, "not dispatchable: %#x\n", attr->wTypeFlags);
    check_base_interface(info, &IID_IDispatch, __LINE__);
    check_funcs(info, events_funcs, ARRAY_SIZE(events_funcs), 0, __LINE__);

    /* What a sink's GetIDsOfNames built on this typelib answers. */
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        WCHAR *name = (WCHAR *)names[i];

        memid = -1;
        hr = ITypeInfo_GetIDsOfNames(info, &name, 1, &memid);
        ok(hr == S_OK, "GetIDsOfNames(%s) returned %#lx\n", wine_dbgstr_w(name), hr);
        ok(memid == (MEMBERID)(5 + i), "%s: got memid %ld\n", wine_dbgstr_w(name), memid);
    }
    ITypeInfo_ReleaseTypeAttr(info, attr);
    ITypeInfo_Release(info);
}

static void check_enum(ITypeLib *lib, const WCHAR *name, const WCHAR *const *members,
                       const LONG *values, unsigned int count)
{
    ITypeInfo *info = NULL;
    TYPEATTR *attr;
    unsigned int i, found = 0;
    MEMBERID memid = 0;
    USHORT found_count = 1;
    WCHAR *lookup = (WCHAR *)name;
    HRESULT hr;

    winetest_push_context("%s", wine_dbgstr_w(name));
    hr = ITypeLib_FindName(lib, lookup, 0, &info, &memid, &found_count);
    ok(hr == S_OK, "FindName returned %#lx\n", hr);
    ok(found_count == 1, "found %u\n", found_count);
    ok(info != NULL, "got %p\n", info);
    if (hr != S_OK || !found_count || !info)
    {
        winetest_pop_context();
        return;
    }
    hr = ITypeInfo_GetTypeAttr(info, &attr);
    ok(hr == S_OK, "GetTypeAttr returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(attr->typekind == TKIND_ENUM, "got typekind %d\n", attr->typekind);
        ok(attr->cVars == count, "got %u members\n", attr->cVars);
        for (i = 0; i < attr->cVars && i < count; i++)
        {
            VARDESC *var;
            BSTR var_name;
            UINT n;

            if (FAILED(ITypeInfo_GetVarDesc(info, i, &var))) continue;
            hr = ITypeInfo_GetNames(info, var->memid, &var_name, 1, &n);
            ok(hr == S_OK, "GetNames returned %#lx\n", hr);
            ok(n == 1, "got %u names\n", n);
            if (hr == S_OK && n == 1)
            {
                ok(!lstrcmpW(var_name, members[i]), "member %u: got %s\n", i, wine_dbgstr_w(var_name));
                SysFreeString(var_name);
            }
            ok(var->varkind == VAR_CONST, "member %u: got varkind %d\n", i, var->varkind);
            ok(V_VT(var->lpvarValue) == VT_I4 || V_VT(var->lpvarValue) == VT_INT,
               "member %u: got vt %d\n", i, V_VT(var->lpvarValue));
            ok(V_I4(var->lpvarValue) == values[i], "%s: got value %ld\n", wine_dbgstr_w(members[i]),
               V_I4(var->lpvarValue));
            found++;
            ITypeInfo_ReleaseVarDesc(info, var);
        }
        ok(found == count, "checked %u of %u members\n", found, count);
        ITypeInfo_ReleaseTypeAttr(info, attr);
    }
    ITypeInfo_Release(info);
    winetest_pop_context();
}

static void test_enums(ITypeLib *lib)
{
    static const WCHAR *const state_names[] =
    {
        L"RSS_UNKNOWN", L"RSS_READY", L"RSS_INVITATION", L"RSS_ACCEPTED",
        L"RSS_CONNECTED", L"RSS_CANCELLED", L"RSS_DECLINED", L"RSS_TERMINATED",
    };
    static const LONG state_values[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    static const WCHAR *const flag_names[] =
    {
        L"RSF_NONE", L"RSF_INVITER", L"RSF_INVITEE", L"RSF_ORIGINAL_INVITER",
        L"RSF_REMOTE_LEGACYSESSION", L"RSF_REMOTE_WIN7SESSION",
    };
    static const LONG flag_values[] = { 0, 1, 2, 4, 8, 0x10 };

    check_enum(lib, L"RENDEZVOUS_SESSION_STATE", state_names, state_values, ARRAY_SIZE(state_values));
    check_enum(lib, L"RENDEZVOUS_SESSION_FLAGS", flag_names, flag_values, ARRAY_SIZE(flag_values));
}

static void test_coclass(ITypeLib *lib)
{
    ITypeInfo *info;
    TYPEATTR *attr;
    HREFTYPE href;
    INT flags;
    HRESULT hr;

    info = get_typeinfo_checked(lib, &CLSID_RendezvousApplication, L"RendezvousApplication",
                                TKIND_COCLASS, &attr);
    if (!info) return;
    ok(attr->cImplTypes == 1, "got %u implemented types\n", attr->cImplTypes);
    ok(attr->wTypeFlags & TYPEFLAG_FCANCREATE, "not creatable: %#x\n", attr->wTypeFlags);
    hr = ITypeInfo_GetImplTypeFlags(info, 0, &flags);
    ok(hr == S_OK, "GetImplTypeFlags returned %#lx\n", hr);
    ok(flags == IMPLTYPEFLAG_FDEFAULT, "got flags %#x\n", flags);
    hr = ITypeInfo_GetRefTypeOfImplType(info, 0, &href);
    ok(hr == S_OK, "GetRefTypeOfImplType returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ITypeInfo *iface;
        TYPEATTR *iface_attr;

        hr = ITypeInfo_GetRefTypeInfo(info, href, &iface);
        ok(hr == S_OK, "GetRefTypeInfo returned %#lx\n", hr);
        if (hr == S_OK && ITypeInfo_GetTypeAttr(iface, &iface_attr) == S_OK)
        {
            ok(IsEqualGUID(&iface_attr->guid, &IID_IRendezvousApplication), "got %s\n",
               wine_dbgstr_guid(&iface_attr->guid));
            ITypeInfo_ReleaseTypeAttr(iface, iface_attr);
        }
        if (hr == S_OK) ITypeInfo_Release(iface);
    }
    ITypeInfo_ReleaseTypeAttr(info, attr);
    ITypeInfo_Release(info);
}

static void test_library(void)
{
    TLIBATTR *libattr;
    ITypeLib *lib;
    BSTR name;
    HRESULT hr;

    hr = LoadRegTypeLib(&LIBID_RendezvousSessionLib, 1, 0, LOCALE_SYSTEM_DEFAULT, &lib);
    if (hr == TYPE_E_LIBNOTREGISTERED)
    {
        win_skip("RendezvousSessionLib 1.x is not registered\n");
        return;
    }
    ok(hr == S_OK, "LoadRegTypeLib returned %#lx\n", hr);
    if (FAILED(hr)) return;

    hr = ITypeLib_GetLibAttr(lib, &libattr);
    ok(hr == S_OK, "GetLibAttr returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(IsEqualGUID(&libattr->guid, &LIBID_RendezvousSessionLib), "got %s\n",
           wine_dbgstr_guid(&libattr->guid));
        ok(libattr->syskind == (sizeof(void *) == 8 ? SYS_WIN64 : SYS_WIN32), "got syskind %d\n",
           libattr->syskind);
        ITypeLib_ReleaseTLibAttr(lib, libattr);
    }

    hr = ITypeLib_GetDocumentation(lib, MEMBERID_NIL, &name, NULL, NULL, NULL);
    ok(hr == S_OK, "GetDocumentation returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(!lstrcmpW(name, L"RendezvousSessionLib"), "got %s\n", wine_dbgstr_w(name));
        SysFreeString(name);
    }

    test_session_interface(lib);
    test_application_interface(lib);
    test_events_dispinterface(lib);
    test_enums(lib);
    test_coclass(lib);
    ITypeLib_Release(lib);
}

START_TEST(typelib)
{
    CoInitialize(NULL);

    test_guids();
    test_vtable_layout();
    test_library();

    CoUninitialize();
}

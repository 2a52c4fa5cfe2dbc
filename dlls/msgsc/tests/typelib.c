/*
 * Conformance tests for the Messenger Private Type Library and the header
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
 * GUIDs, slot order, DISPIDs and values as machine-generated imports of
 * Messenger's type libraries show them (spec/API.md, part B), checked against
 * our header and against the Messenger Private Type Library registered.
 * Documented facts only: this unit and api.c form msgsc_crosstest.exe ('make
 * crosstest'), built with mingw's headers and libraries alone, which checks
 * them on Windows.  Where the library is not registered (Windows after XP),
 * win_skip says so; under Wine that is a failure.  The project's own
 * WineMessengerLib is tested in extension.c.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "msgrpriv.h"

#include "wine/test.h"
#include "typelib_check.h"

static void test_guids(void)
{
    static const struct
    {
        const GUID *guid;
        const WCHAR *str;
    }
    guids[] =
    {
        { &LIBID_MessengerPrivate, L"{53CED51D-432B-45B2-A3E0-0CE2C24235D4}" },
        { &IID_IMsgrSessionManager, L"{305D86C6-6896-4099-91F5-CB7BA7733563}" },
        { &IID_IMsgrSession, L"{42D7CAFC-0167-4941-A5D8-9FD7F104C41A}" },
        { &IID_IMsgrLock, L"{36602AFA-4859-4DF5-820B-BF35ACAA16CA}" },
        { &IID_IMessengerPrivate, L"{7C95459B-C8E7-4605-B641-45EB06866659}" },
        { &DIID_DMsgrSessionEvents, L"{1847A74F-2E7F-43AF-B7F9-55A4DE3276F5}" },
        { &DIID_DMsgrSessionManagerEvents, L"{52AC8B62-8F88-46CA-902A-1F9106B0A9F4}" },
        { &DIID_DMessengerPrivateEvents, L"{D21454F8-43E3-4D64-B1E3-84911BAF207D}" },
        { &CLSID_MsgrSessionManager, L"{E3A3B1D9-5675-43C0-BF04-37BE11939FB7}" },
        { &CLSID_MsgrSession, L"{E3A3B1D8-5675-43C0-BF04-37BE11939FB7}" },
        { &CLSID_MessengerPrivate, L"{AB1D8565-40E9-4616-984D-98465687E82C}" },
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
}

static void test_constants(void)
{
    static const struct { HRESULT value, expected; const char *name; } codes[] =
    {
#define CODE(name, value) { name, (HRESULT)value, #name }
        CODE(SR_APPLICATION_LAUNCH_FAILED, 0x81000601), CODE(SR_INVITATION_DECLINED, 0x81000602),
        CODE(SR_CONNECTION_FAILURE, 0x81000603), CODE(SR_AUTHENTICATION_FAILED, 0x81000604),
        CODE(SR_SESSION_NOT_READY, 0x81000605), CODE(SR_SESSION_CANCELLED_LOCAL, 0x81000606),
        CODE(SR_SESSION_CANCELLED_REMOTE, 0x81000607), CODE(SR_SESSION_PROTOCOL_ERROR, 0x81000608),
        CODE(SR_SESSION_TIMEOUT, 0x81000609), CODE(SR_CANCEL_BEFORE_CONNECT, 0x8100060a),
        CODE(SR_NOT_INVITEE, 0x8100060b), CODE(SR_NOT_INVITER, 0x8100060c),
        CODE(SR_APP_ALREADY_REGISTERED, 0x8100060d), CODE(SR_APP_NOT_REGISTERED, 0x8100060e),
        CODE(SR_NOT_VALID_FOR_APP_INVITE, 0x8100060f), CODE(SR_APP_NOT_SPECIFIED, 0x81000610),
        CODE(SR_CONTEXT_DATA_OVER_LIMIT, 0x81000611), CODE(SR_NO_USER_INVITED, 0x81000612),
        CODE(SR_INVITED_SELF, 0x81000613), CODE(SR_SESSION_STATE_INVALID, 0x81000614),
        CODE(SR_INVITATION_SEND_FAILURE, 0x81000615), CODE(SR_CANCEL_SEND_FAILURE, 0x81000616),
        CODE(SR_DECLINE_SEND_FAILURE, 0x81000617), CODE(SR_ACCEPT_SEND_FAILURE, 0x81000618),
        CODE(SR_CONTEXT_DATA_SEND_FAILURE, 0x81000619), CODE(SR_NETWORK_CONFIG_FAILURE, 0x81000620),
        CODE(SR_NET_NOT_SUPPORTED, 0x81000621), CODE(SR_REMOTE_NET_NOT_SUPPORTED, 0x81000622),
        CODE(SR_FIREWALL_NOT_SUPPORTED, 0x81000623), CODE(SR_OLD_SIP_STACK, 0x81000624),
        CODE(MSGR_E_NOT_LOGGED_ON, 0x8100031e), CODE(MSGR_E_API_NOTINITIALIZED, 0x81000751),
        CODE(MSGR_E_API_LOCKED, 0x81000752), CODE(MSGR_E_API_UNLOCK_FAILED, 0x81000753),
        CODE(MSGR_E_API_ALREADY_UNLOCKED, 0x81000754), CODE(MSGR_E_API_PENDING_UNLOCK, 0x81000755),
        CODE(MSGR_E_API_DISABLED, 0x81000756),
        CODE(DISPID_ONINVITATION, 100), CODE(DISPID_ONAPPREGISTERED, 101), CODE(DISPID_ONAPPUNREGISTERED, 102),
        CODE(DISPID_ONSTATECHANGED, 103), CODE(DISPID_ONAPPNOTPRESENT, 104), CODE(DISPID_ONACCEPTED, 105),
        CODE(DISPID_ONDECLINED, 106), CODE(DISPID_ONCANCELLED, 107), CODE(DISPID_ONTERMINATION, 108),
        CODE(DISPID_ONREADYTOLAUNCH, 109), CODE(DISPID_ONCONTEXTDATA, 110), CODE(DISPID_ONSENDERROR, 111),
        CODE(DISPID_BEFOREAPPLAUNCH, 112), CODE(DISPID_ONAPPSHUTDOWN, 126), CODE(DISPID_ONLOCKCHALLENGE, 145),
        CODE(DISPID_ONLOCKRESULT, 146), CODE(DISPID_ONLOCKENABLE, 147), CODE(DISPID_ONLOCKSTATUSCHANGED, 12288),
        CODE(SS_UNKNOWN, 0), CODE(SS_READY, 1), CODE(SS_INVITATION, 2), CODE(SS_ACCEPTED, 3),
        CODE(SS_CONNECTED, 4), CODE(SS_CANCELLED, 5), CODE(SS_DECLINED, 6), CODE(SS_TERMINATED, 7),
        CODE(SS_FALLBACK_INVITER, 8), CODE(SS_FALLBACK_INVITEE, 9),
        CODE(SF_NONE, 0), CODE(SF_INVITER, 1), CODE(SF_INVITEE, 2), CODE(SF_APP_INVITE_COMPATIBLE, 4),
        CODE(LOCK_NOTINITIALIZED, 1), CODE(LOCK_INITIALIZED, 2), CODE(LOCK_PENDINGRESULT, 3),
        CODE(LOCK_UNLOCKED, 4), CODE(LOCK_UNLOCKFAILED, 5), CODE(LOCK_DISABLED, 6),
#undef CODE
    };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(codes); i++)
        ok(codes[i].value == codes[i].expected, "%s is %#lx\n", codes[i].name, codes[i].value);
    /* The codes are failures, as HRESULTs should be. */
    ok(FAILED(SR_CONTEXT_DATA_OVER_LIMIT), "got %#lx\n", SR_CONTEXT_DATA_OVER_LIMIT);
    ok(FAILED(MSGR_E_API_DISABLED), "got %#lx\n", MSGR_E_API_DISABLED);
}

/* The C vtables: the documented slot order, put_LocalAddress before get_LocalAddress. */
static void test_vtable_layout(void)
{
#define SLOT(type, member, slot) \
    ok(FIELD_OFFSET(type, member) == (slot) * sizeof(void *), #member " is slot %u\n", \
       (unsigned int)(FIELD_OFFSET(type, member) / sizeof(void *)))
    SLOT(IMsgrSessionVtbl, Invoke, 6);
    SLOT(IMsgrSessionVtbl, get_Application, 7);
    SLOT(IMsgrSessionVtbl, put_Application, 8);
    SLOT(IMsgrSessionVtbl, get_State, 9);
    SLOT(IMsgrSessionVtbl, Invite, 10);
    SLOT(IMsgrSessionVtbl, Decline, 11);
    SLOT(IMsgrSessionVtbl, Cancel, 12);
    SLOT(IMsgrSessionVtbl, Accept, 13);
    SLOT(IMsgrSessionVtbl, get_RemoteAddress, 14);
    SLOT(IMsgrSessionVtbl, get_SessionID, 15);
    SLOT(IMsgrSessionVtbl, get_ContextData, 16);
    SLOT(IMsgrSessionVtbl, get_ApplicationName, 17);
    SLOT(IMsgrSessionVtbl, get_ApplicationURL, 18);
    SLOT(IMsgrSessionVtbl, get_Flags, 19);
    SLOT(IMsgrSessionVtbl, get_User, 20);
    SLOT(IMsgrSessionVtbl, put_LocalAddress, 21);
    SLOT(IMsgrSessionVtbl, get_LocalAddress, 22);
    SLOT(IMsgrSessionVtbl, SendContextData, 23);
    ok(sizeof(IMsgrSessionVtbl) == 24 * sizeof(void *), "IMsgrSessionVtbl has %u slots\n",
       (unsigned int)(sizeof(IMsgrSessionVtbl) / sizeof(void *)));
    SLOT(IMsgrSessionManagerVtbl, CreateSession, 7);
    SLOT(IMsgrSessionManagerVtbl, GetLaunchingSession, 8);
    SLOT(IMsgrSessionManagerVtbl, RegisterApplication, 9);
    SLOT(IMsgrSessionManagerVtbl, UnRegisterApplication, 10);
    SLOT(IMsgrSessionManagerVtbl, get_Applications, 11);
    ok(sizeof(IMsgrSessionManagerVtbl) == 12 * sizeof(void *), "IMsgrSessionManagerVtbl has %u slots\n",
       (unsigned int)(sizeof(IMsgrSessionManagerVtbl) / sizeof(void *)));
    SLOT(IMsgrLockVtbl, get_Status, 3);
    SLOT(IMsgrLockVtbl, RequestChallenge, 4);
    SLOT(IMsgrLockVtbl, SendResponse, 5);
    ok(sizeof(IMsgrLockVtbl) == 6 * sizeof(void *), "IMsgrLockVtbl has %u slots\n",
       (unsigned int)(sizeof(IMsgrLockVtbl) / sizeof(void *)));
    SLOT(IMessengerPrivateVtbl, EnableAlertEvents, 7);
    SLOT(IMessengerPrivateVtbl, AddContact, 8);
#undef SLOT
}

static const struct func_info session_funcs[] =
{
    { L"Application", 0, GET, VT_HRESULT, 1, { { L"pbstrAppGUID", VT_PTR, VT_BSTR, P_OUTRET } } },
    /* GetNames() gives the names of a property's first accessor. */
    { L"Application", 0, PUT, VT_HRESULT, 1, { { NULL, VT_BSTR, 0, P_IN } } },
    { L"State", 1, GET, VT_HRESULT, 1, { { L"pState", VT_PTR, VT_USERDEFINED, P_OUTRET } } },
    { L"Invite", 2, FUNC, VT_HRESULT, 2, { { L"pUser", VT_DISPATCH, 0, P_IN }, { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"Decline", 3, FUNC, VT_HRESULT, 1, { { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"Cancel", 4, FUNC, VT_HRESULT, 2, { { L"hr", VT_I4, 0, P_IN }, { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"Accept", 5, FUNC, VT_HRESULT, 1, { { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"RemoteAddress", 6, GET, VT_HRESULT, 1, { { L"pbstrRemoteAddress", VT_PTR, VT_BSTR, P_OUTRET } } },
    { L"SessionID", 7, GET, VT_HRESULT, 1, { { L"pbstrSessionID", VT_PTR, VT_BSTR, P_OUTRET } } },
    { L"ContextData", 8, GET, VT_HRESULT, 1, { { L"pbstrData", VT_PTR, VT_BSTR, P_OUTRET } } },
    { L"ApplicationName", 9, GET, VT_HRESULT, 1, { { L"pbstrAppName", VT_PTR, VT_BSTR, P_OUTRET } } },
    { L"ApplicationURL", 10, GET, VT_HRESULT, 1, { { L"pbstrAppURL", VT_PTR, VT_BSTR, P_OUTRET } } },
    { L"Flags", 11, GET, VT_HRESULT, 1, { { L"plFlags", VT_PTR, VT_I4, P_OUTRET } } },
    { L"User", 12, GET, VT_HRESULT, 1, { { L"ppUser", VT_PTR, VT_DISPATCH, P_OUTRET } } },
    { L"LocalAddress", 13, PUT, VT_HRESULT, 1, { { L"bstrLocalAddress", VT_BSTR, 0, P_IN } } },
    { L"LocalAddress", 13, GET, VT_HRESULT, 1, { { NULL, VT_PTR, VT_BSTR, P_OUTRET } } },
    { L"SendContextData", 14, FUNC, VT_HRESULT, 1, { { L"bstrData", VT_BSTR, 0, P_IN } } },
};

static const struct func_info manager_funcs[] =
{
    { L"CreateSession", 0, FUNC, VT_HRESULT, 1, { { L"ppSession", VT_PTR, VT_DISPATCH, P_OUTRET } } },
    { L"GetLaunchingSession", 1, FUNC, VT_HRESULT, 2,
      { { L"lProcessID", VT_I4, 0, P_IN }, { L"ppSession", VT_PTR, VT_DISPATCH, P_OUTRET } } },
    { L"RegisterApplication", 2, FUNC, VT_HRESULT, 5,
      { { L"bstrAppGUID", VT_BSTR, 0, P_IN }, { L"bstrAppName", VT_BSTR, 0, P_IN },
        { L"bstrAppURL", VT_BSTR, 0, P_IN }, { L"bstrPath", VT_BSTR, 0, P_IN }, { L"ulFlags", VT_I4, 0, P_IN } } },
    { L"UnRegisterApplication", 3, FUNC, VT_HRESULT, 1, { { L"bstrAppGUID", VT_BSTR, 0, P_IN } } },
    { L"Applications", 4, GET, VT_HRESULT, 1, { { L"ppApps", VT_PTR, VT_DISPATCH, P_OUTRET } } },
};

/* TLB member order of DMsgrSessionEvents: 103..108, 109, 112, 110, 111. */
static const struct func_info session_events[] =
{
    { L"OnStateChanged", 103, FUNC, VT_VOID, 1, { { L"prevState", VT_USERDEFINED, 0, P_IN } } },
    { L"OnAppNotPresent", 104, FUNC, VT_VOID, 2,
      { { L"bstrAppName", VT_BSTR, 0, P_IN }, { L"bstrAppURL", VT_BSTR, 0, P_IN } } },
    { L"OnAccepted", 105, FUNC, VT_VOID, 1, { { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"OnDeclined", 106, FUNC, VT_VOID, 1, { { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"OnCancelled", 107, FUNC, VT_VOID, 1, { { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"OnTermination", 108, FUNC, VT_VOID, 2, { { L"hr", VT_I4, 0, P_IN }, { L"bstrAppData", VT_BSTR, 0, P_IN } } },
    { L"OnReadyToLaunch", 109, FUNC, VT_VOID, 0 },
    { L"BeforeAppLaunch", 112, FUNC, VT_VOID, 1, { { L"pfEnableDefault", VT_PTR, VT_BOOL, P_INOUT } } },
    { L"OnContextData", 110, FUNC, VT_VOID, 1, { { L"bstrContextData", VT_BSTR, 0, P_IN } } },
    { L"OnSendError", 111, FUNC, VT_VOID, 1, { { L"hr", VT_I4, 0, P_IN } } },
};

static const struct func_info manager_events[] =
{
    { L"OnInvitation", 100, FUNC, VT_VOID, 3,
      { { L"pSession", VT_DISPATCH, 0, P_IN }, { L"bstrAppData", VT_BSTR, 0, P_IN },
        { L"pfHandled", VT_PTR, VT_BOOL, P_INOUT } } },
    { L"OnAppRegistered", 101, FUNC, VT_VOID, 1, { { L"bstrAppGUID", VT_BSTR, 0, P_IN } } },
    { L"OnAppUnRegistered", 102, FUNC, VT_VOID, 1, { { L"bstrAppGUID", VT_BSTR, 0, P_IN } } },
    { L"OnLockChallenge", 145, FUNC, VT_VOID, 2,
      { { L"lCookie", VT_I4, 0, P_IN }, { L"bstrChallenge", VT_BSTR, 0, P_IN } } },
    { L"OnLockResult", 146, FUNC, VT_VOID, 2, { { L"lCookie", VT_I4, 0, P_IN }, { L"fSucceed", VT_BOOL, 0, P_IN } } },
    { L"OnLockEnable", 147, FUNC, VT_VOID, 1, { { L"fEnable", VT_BOOL, 0, P_IN } } },
    { L"OnLockStatusChanged", 12288, FUNC, VT_VOID, 1, { { L"eStatus", VT_USERDEFINED, 0, P_IN } } },
    { L"OnAppShutdown", 126, FUNC, VT_VOID, 0 },
};

static const struct func_info private_events[] =
{
    { L"OnLockChallenge", 145, FUNC, VT_VOID, 2,
      { { L"lCookie", VT_I4, 0, P_IN }, { L"bstrChallenge", VT_BSTR, 0, P_IN } } },
    { L"OnLockResult", 146, FUNC, VT_VOID, 2, { { L"lCookie", VT_I4, 0, P_IN }, { L"fSucceed", VT_BOOL, 0, P_IN } } },
    { L"OnLockEnable", 147, FUNC, VT_VOID, 1, { { L"fEnable", VT_BOOL, 0, P_IN } } },
    { L"OnLockStatusChanged", 12288, FUNC, VT_VOID, 1, { { L"eStatus", VT_USERDEFINED, 0, P_IN } } },
    { L"OnAlertReceived", 1040, FUNC, VT_VOID, 2,
      { { L"bstrAlert", VT_BSTR, 0, P_IN }, { L"pBoolfEnableDefault", VT_PTR, VT_BOOL, P_INOUT } } },
    { L"OnContactListAdd", 1026, FUNC, VT_VOID, 2,
      { { L"hr", VT_I4, 0, P_IN }, { L"pMContact", VT_DISPATCH, 0, P_IN } } },
};

static const struct func_info lock_funcs[] =
{
    { L"Status", -1, GET, VT_HRESULT, 1, { { L"peStatus", VT_PTR, VT_USERDEFINED, P_OUTRET } } },
    { L"RequestChallenge", -1, FUNC, VT_HRESULT, 1, { { L"lCookie", VT_I4, 0, P_IN } } },
    { L"SendResponse", -1, FUNC, VT_HRESULT, 3,
      { { L"bstrAppStrId", VT_BSTR, 0, P_IN }, { L"bstrResponse", VT_BSTR, 0, P_IN }, { L"lCookie", VT_I4, 0, P_IN } } },
};

static const struct func_info private_funcs[] =
{
    { L"EnableAlertEvents", 1408, FUNC, VT_HRESULT, 1, { { L"ppsaAlerts", VT_PTR, VT_SAFEARRAY, P_IN } } },
    { L"AddContact", 1409, FUNC, VT_HRESULT, 2, { { L"bstrSiginName", VT_BSTR, 0, P_IN }, { L"vService", VT_VARIANT, 0, P_IN } } },
};

static void check_dispinterface(ITypeLib *lib, const GUID *iid, const WCHAR *name, const struct func_info *funcs,
                                unsigned int count, int line)
{
    HRESULT hr;
    ITypeInfo *info;
    TYPEATTR *attr;
    unsigned int i;

    winetest_push_context("%s", wine_dbgstr_w(name));
    if (!(info = get_info(lib, iid, name, &attr)))
    {
        winetest_pop_context();
        return;
    }
    ok_(__FILE__, line)(attr->typekind == TKIND_DISPATCH, "typekind %d\n", attr->typekind);
    ok_(__FILE__, line)(!(attr->wTypeFlags & TYPEFLAG_FDUAL), "dual: %#x\n", attr->wTypeFlags);
    ok_(__FILE__, line)(attr->wTypeFlags & TYPEFLAG_FDISPATCHABLE, "not dispatchable: %#x\n", attr->wTypeFlags);
    ok_(__FILE__, line)(attr->cFuncs == count, "%u functions\n", attr->cFuncs);
    check_funcs(info, 0, funcs, count, -1, FUNC_DISPATCH, TRUE, line);
    /* What a sink's GetIDsOfNames built on this library answers. */
    for (i = 0; i < count; i++)
    {
        WCHAR *n = (WCHAR *)funcs[i].name;
        MEMBERID memid = -1;

        hr = ITypeInfo_GetIDsOfNames(info, &n, 1, &memid);
        ok_(__FILE__, line)(hr == S_OK, "got %#lx\n", hr);
        ok_(__FILE__, line)(memid == funcs[i].memid, "got %ld\n", memid);
    }
    ITypeInfo_ReleaseTypeAttr(info, attr);
    ITypeInfo_Release(info);
    winetest_pop_context();
}

static void check_enum(ITypeLib *lib, const WCHAR *name, const WCHAR *const *members, unsigned int count)
{
    ITypeInfo *info = NULL;
    MEMBERID memid = 0;
    USHORT found = 1;
    TYPEATTR *attr;
    unsigned int i;
    HRESULT hr;

    winetest_push_context("%s", wine_dbgstr_w(name));
    hr = ITypeLib_FindName(lib, (WCHAR *)name, 0, &info, &memid, &found);
    ok(hr == S_OK, "not found: got %#lx\n", hr);
    ok(found == 1, "not found: got %u\n", found);
    ok(info != NULL, "not found: got %p\n", info);
    if (hr == S_OK && found && info)
    {
        ITypeInfo_GetTypeAttr(info, &attr);
        ok(attr->typekind == TKIND_ENUM, "typekind %d\n", attr->typekind);
        ok(attr->cVars == count, "%u members\n", attr->cVars);
        for (i = 0; i < attr->cVars && i < count; i++)
        {
            VARDESC *var;
            BSTR var_name;
            UINT n;

            if (FAILED(ITypeInfo_GetVarDesc(info, i, &var))) continue;
            if (SUCCEEDED(ITypeInfo_GetNames(info, var->memid, &var_name, 1, &n)))
            {
                ok(!lstrcmpW(var_name, members[i]), "member %u is %s\n", i, wine_dbgstr_w(var_name));
                SysFreeString(var_name);
            }
            /* Values: SESSION_STATE from 0, LockStatus from 1. */
            ok(V_I4(var->lpvarValue) == (LONG)(i + (name[0] == 'L')), "%s: value %ld\n", wine_dbgstr_w(members[i]),
               V_I4(var->lpvarValue));
            ITypeInfo_ReleaseVarDesc(info, var);
        }
        ITypeInfo_ReleaseTypeAttr(info, attr);
        ITypeInfo_Release(info);
    }
    winetest_pop_context();
}

static void check_coclass(ITypeLib *lib, const GUID *clsid, const WCHAR *name, const GUID *const *ifaces,
                          const INT *impl_flags, unsigned int count)
{
    HRESULT hr;
    ITypeInfo *info, *ref;
    TYPEATTR *attr, *ref_attr;
    unsigned int i;
    HREFTYPE href;
    INT flags;

    winetest_push_context("%s", wine_dbgstr_w(name));
    if (!(info = get_info(lib, clsid, name, &attr)))
    {
        winetest_pop_context();
        return;
    }
    ok(attr->typekind == TKIND_COCLASS, "typekind %d\n", attr->typekind);
    ok(attr->wTypeFlags & TYPEFLAG_FCANCREATE, "not creatable: %#x\n", attr->wTypeFlags);
    ok(attr->cImplTypes == count, "%u implemented types\n", attr->cImplTypes);
    for (i = 0; i < count && i < attr->cImplTypes; i++)
    {
        hr = ITypeInfo_GetImplTypeFlags(info, i, &flags);
        ok(hr == S_OK, "got %#lx\n", hr);
        ok(flags == impl_flags[i], "got %d\n", flags);
        if (FAILED(ITypeInfo_GetRefTypeOfImplType(info, i, &href)) ||
            FAILED(ITypeInfo_GetRefTypeInfo(info, href, &ref)))
        {
            ok(0, "%u: no type\n", i);
            continue;
        }
        ITypeInfo_GetTypeAttr(ref, &ref_attr);
        ok(IsEqualGUID(&ref_attr->guid, ifaces[i]), "%u: %s\n", i, wine_dbgstr_guid(&ref_attr->guid));
        ITypeInfo_ReleaseTypeAttr(ref, ref_attr);
        ITypeInfo_Release(ref);
    }
    ITypeInfo_ReleaseTypeAttr(info, attr);
    ITypeInfo_Release(info);
    winetest_pop_context();
}

static void test_library(void)
{
    static const WCHAR *const states[] =
    {
        L"SS_UNKNOWN", L"SS_READY", L"SS_INVITATION", L"SS_ACCEPTED", L"SS_CONNECTED", L"SS_CANCELLED",
        L"SS_DECLINED", L"SS_TERMINATED", L"SS_FALLBACK_INVITER", L"SS_FALLBACK_INVITEE",
    };
    static const WCHAR *const locks[] =
    {
        L"LOCK_NOTINITIALIZED", L"LOCK_INITIALIZED", L"LOCK_PENDINGRESULT", L"LOCK_UNLOCKED",
        L"LOCK_UNLOCKFAILED", L"LOCK_DISABLED",
    };
    static const GUID *const manager_ifaces[] = { &IID_IMsgrSessionManager, &IID_IMsgrLock, &DIID_DMsgrSessionManagerEvents };
    static const GUID *const session_ifaces[] = { &IID_IMsgrSession, &DIID_DMsgrSessionEvents };
    static const GUID *const private_ifaces[] = { &IID_IMessengerPrivate, &IID_IMsgrLock, &DIID_DMessengerPrivateEvents };
    static const INT three[] = { IMPLTYPEFLAG_FDEFAULT, 0, IMPLTYPEFLAG_FDEFAULT | IMPLTYPEFLAG_FSOURCE };
    static const INT two[] = { IMPLTYPEFLAG_FDEFAULT, IMPLTYPEFLAG_FDEFAULT | IMPLTYPEFLAG_FSOURCE };
    ITypeInfo *info;
    TYPEATTR *attr;
    TLIBATTR *libattr;
    ITypeLib *lib;
    BSTR name, doc;
    HRESULT hr;

    hr = LoadRegTypeLib(&LIBID_MessengerPrivate, 1, 0, LOCALE_SYSTEM_DEFAULT, &lib);
    if (hr == TYPE_E_LIBNOTREGISTERED)
    {
        win_skip("the Messenger Private Type Library is not registered\n");
        return;
    }
    ok(hr == S_OK, "LoadRegTypeLib returned %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = ITypeLib_GetLibAttr(lib, &libattr);
    ok(hr == S_OK, "GetLibAttr returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(libattr->wMajorVerNum == 1, "got major version %u\n", libattr->wMajorVerNum);
        ok(libattr->wMinorVerNum == 0, "got minor version %u\n", libattr->wMinorVerNum);
        ITypeLib_ReleaseTLibAttr(lib, libattr);
    }
    hr = ITypeLib_GetDocumentation(lib, MEMBERID_NIL, &name, &doc, NULL, NULL);
    ok(hr == S_OK, "GetDocumentation returned %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(!lstrcmpW(doc, L"Messenger Private Type Library"), "got helpstring %s\n", wine_dbgstr_w(doc));
        SysFreeString(name);
        SysFreeString(doc);
    }

    /* MIDL's flags for a dual interface: dual, oleautomation, dispatchable. */
    check_dual(lib, &IID_IMsgrSession, L"IMsgrSession", session_funcs, ARRAY_SIZE(session_funcs), 0x1140, __LINE__);
    check_dual(lib, &IID_IMsgrSessionManager, L"IMsgrSessionManager", manager_funcs, ARRAY_SIZE(manager_funcs),
               0x1140, __LINE__);
    check_dual(lib, &IID_IMessengerPrivate, L"IMessengerPrivate", private_funcs, ARRAY_SIZE(private_funcs),
               0x1140, __LINE__);
    check_dispinterface(lib, &DIID_DMsgrSessionEvents, L"DMsgrSessionEvents", session_events,
                        ARRAY_SIZE(session_events), __LINE__);
    check_dispinterface(lib, &DIID_DMsgrSessionManagerEvents, L"DMsgrSessionManagerEvents", manager_events,
                        ARRAY_SIZE(manager_events), __LINE__);
    check_dispinterface(lib, &DIID_DMessengerPrivateEvents, L"DMessengerPrivateEvents", private_events,
                        ARRAY_SIZE(private_events), __LINE__);

    /* IMsgrLock: oleautomation, on IUnknown, not dual. */
    if ((info = get_info(lib, &IID_IMsgrLock, L"IMsgrLock", &attr)))
    {
        ok(attr->typekind == TKIND_INTERFACE, "IMsgrLock typekind %d\n", attr->typekind);
        ok(attr->wTypeFlags == TYPEFLAG_FOLEAUTOMATION, "IMsgrLock flags %#x\n", attr->wTypeFlags);
        ok(attr->cbSizeVft == 6 * sizeof(void *), "IMsgrLock vtable size %u\n", attr->cbSizeVft);
        check_funcs(info, 0, lock_funcs, ARRAY_SIZE(lock_funcs), 3, FUNC_PUREVIRTUAL, TRUE, __LINE__);
        ITypeInfo_ReleaseTypeAttr(info, attr);
        ITypeInfo_Release(info);
    }

    check_enum(lib, L"SESSION_STATE", states, ARRAY_SIZE(states));
    check_enum(lib, L"LockStatus", locks, ARRAY_SIZE(locks));
    /* Header-only, as in Messenger's library. */
    {
        ITypeInfo *found = NULL;
        MEMBERID memid;
        USHORT count = 1;

        hr = ITypeLib_FindName(lib, (WCHAR *)L"SESSION_FLAGS", 0, &found, &memid, &count);
        ok(hr == S_OK, "FindName returned %#lx\n", hr);
        ok(!count, "SESSION_FLAGS found %u times\n", count);
        if (count && found) ITypeInfo_Release(found);
    }

    check_coclass(lib, &CLSID_MsgrSessionManager, L"MsgrSessionManager", manager_ifaces, three, 3);
    check_coclass(lib, &CLSID_MsgrSession, L"MsgrSession", session_ifaces, two, 2);
    check_coclass(lib, &CLSID_MessengerPrivate, L"MessengerPriv", private_ifaces, three, 3);
    ITypeLib_Release(lib);
}

START_TEST(typelib)
{
    CoInitialize(NULL);
    test_guids();
    test_constants();
    test_vtable_layout();
    test_library();
    CoUninitialize();
}

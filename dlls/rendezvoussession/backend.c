/*
 * Remote Assistance backends: registry command templates run on worker threads
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
 * A backend is a command line template (docs/behaviour.md, "Backends"):
 *
 *   HKCU\Software\Wine\RendezvousSession\Backends, else the same key in HKLM:
 *     Share          REG_SZ or REG_EXPAND_SZ: started by the side that shares its screen
 *     Connect        REG_SZ or REG_EXPAND_SZ: started by the helper
 *                    (environment variables are expanded after the placeholders)
 *     StartTimeout   REG_DWORD, ms a backend has to start (default 15000)
 *   HKCU\Software\Wine\RendezvousSession, else HKLM:
 *     HandshakeTimeout  REG_DWORD, ms from RSS_CONNECTED to the end of the handshake
 *
 * Placeholders %USER%, %SESSION%, and for Connect %ADDRESS% and %PORT%, are
 * replaced by checked values only; the secret is never on a command line but on
 * the backend's standard input:
 *
 *   SESSION {id}
 *   USER name
 *   CODE 123 456          (the security code, when the IM's session is ours)
 *   SECRET 64 hex digits
 *   FINGERPRINT 64 hex digits  (Connect only, when the ticket has one)
 *   ADDRESS a PORT p      (Connect only, one line per address of the ticket)
 *   END
 *
 * Share must print "ADDRESS a PORT p" lines (1 to 4), at most one
 * "FINGERPRINT h" (the SHA-256 of its server's certificate, 64 hex digits,
 * for the ticket) and then "READY" on its standard output; Connect prints
 * "READY" or exits with code 0.  Other lines are ignored.  Once started, the
 * backend's standard output is closed.
 *
 * With no Share or Connect value at all, the built-in FreeRDP backend
 * (rvfreerdp.exe beside this DLL) is used when FreeRDP is installed.  Before a
 * Share backend starts, the user is asked (ShareConsent in
 * HKCU\Software\Wine\RendezvousSession: 0 ask, 1 accept, 2 decline); the
 * question shows the security code when there is one.
 */

#define COBJMACROS

#include <windows.h>
#include <ole2.h>

#include "rendezvoussession_private.h"
#include "rv_ticket.h"

#include "wine/debug.h"

WINE_DEFAULT_DEBUG_CHANNEL(rendezvous);

#define BACKENDS_KEY L"Software\\Wine\\RendezvousSession\\Backends"
#define SETTINGS_KEY L"Software\\Wine\\RendezvousSession"

#define MAX_TEMPLATE       4096     /* characters */
#define MAX_COMMAND        8192     /* characters, after expansion */
#define MAX_LINE           256      /* bytes of one output line */
#define MAX_OUTPUT         8192     /* bytes read before READY */
#define POLL_MS            20
#define START_ATTEMPTS     3        /* when a process dies before it is set up */
#define START_RETRY_MS     100

#define DEFAULT_START_TIMEOUT      15000
#define DEFAULT_HANDSHAKE_TIMEOUT 120000

/* The built-in FreeRDP backend: a program installed beside this DLL. */
#define FREERDP_PROGRAM L"rvfreerdp.exe"

/* ShareConsent: what to do before a Share backend starts. */
#define CONSENT_ASK     0
#define CONSENT_ACCEPT  1
#define CONSENT_DECLINE 2

struct backend_job
{
    LONG refcount;
    enum backend_role role;
    HWND window;
    UINT message;
    DWORD timeout;
    DWORD thread_id;
    char user[BACKEND_MAX_USER + 1];
    char code[BACKEND_CODE_SIZE];       /* "" without one */
    WCHAR *command;
    char *input;
    size_t input_size;
    volatile LONG cancelled;
    /* results, written by the worker before it posts */
    HRESULT hr;
    struct backend_process process;
    unsigned int count;
    struct rv_ticket_address addresses[RV_TICKET_MAX_ADDRESSES];
    BOOL has_fingerprint;
    BYTE fingerprint[BACKEND_FINGERPRINT_SIZE];
};

/* Registry */

static LSTATUS query_value(const WCHAR *subkey, const WCHAR *name, DWORD *type, void *data, DWORD *size)
{
    static const HKEY roots[] = { HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE };
    LSTATUS status = ERROR_FILE_NOT_FOUND;
    unsigned int i;
    DWORD bytes;
    HKEY key;

    /* A value in HKCU overrides the same value in HKLM. */
    for (i = 0; i < ARRAY_SIZE(roots); i++)
    {
        if (RegOpenKeyExW(roots[i], subkey, 0, KEY_QUERY_VALUE, &key)) continue;
        bytes = *size;
        status = RegQueryValueExW(key, name, NULL, type, data, &bytes);
        RegCloseKey(key);
        if (status != ERROR_FILE_NOT_FOUND)
        {
            *size = bytes;
            return status;
        }
    }
    return status;
}

static DWORD get_dword(const WCHAR *subkey, const WCHAR *name, DWORD def, DWORD min, DWORD max)
{
    DWORD type, value, size = sizeof(value);

    if (query_value(subkey, name, &type, &value, &size) || type != REG_DWORD || size != sizeof(value))
        return def;
    if (value < min) return min;
    if (value > max) return max;
    return value;
}

DWORD backend_get_start_timeout(void)
{
    return get_dword(BACKENDS_KEY, L"StartTimeout", DEFAULT_START_TIMEOUT, 100, 600000);
}

DWORD backend_get_handshake_timeout(void)
{
    return get_dword(SETTINGS_KEY, L"HandshakeTimeout", DEFAULT_HANDSHAKE_TIMEOUT, 100, 3600000);
}

/* How long an invitation of RendezvousSession can be answered, in ms. */
DWORD backend_get_invitation_lifetime(void)
{
    return get_dword(SETTINGS_KEY, L"InvitationLifetime", RV_DEFAULT_INVITATION_LIFETIME_MS, 100,
                     RV_MAX_INVITATION_LIFETIME_MS);
}

/* Whether a Unix program is in one of the usual directories, seen through
 * Wine's mapping of Unix paths; never true on Windows. */
static BOOL unix_program_exists(const char *name)
{
    static const char *const dirs[] = { "/usr/bin/", "/usr/local/bin/", "/bin/" };
    WCHAR *(CDECL *get_dos_file_name)(const char *);
    char path[MAX_PATH];
    unsigned int i;

    get_dos_file_name = (void *)GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_dos_file_name");
    if (!get_dos_file_name) return FALSE;
    for (i = 0; i < ARRAY_SIZE(dirs); i++)
    {
        WCHAR *dos;
        DWORD attributes;

        lstrcpyA(path, dirs[i]);
        lstrcatA(path, name);
        if (!(dos = get_dos_file_name(path))) continue;
        attributes = GetFileAttributesW(dos);
        HeapFree(GetProcessHeap(), 0, dos);
        if (attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY)) return TRUE;
    }
    return FALSE;
}

/* The built-in FreeRDP backend (docs/behaviour.md, "The FreeRDP backend"):
 * rvfreerdp.exe beside this DLL, when the FreeRDP program of the role is
 * installed and Backends\FreeRDP is not 0.  S_FALSE when there is none. */
static HRESULT get_default_command(enum backend_role role, WCHAR *buffer)
{
    WCHAR path[MAX_PATH];
    DWORD len, attributes;
    WCHAR *slash;

    if (!get_dword(BACKENDS_KEY, L"FreeRDP", 1, 0, 1)) return S_FALSE;
    len = GetModuleFileNameW(rendezvous_instance, path, ARRAY_SIZE(path));
    if (!len || len >= ARRAY_SIZE(path) || !(slash = wcsrchr(path, '\\'))) return S_FALSE;
    if ((slash + 1 - path) + wcslen(FREERDP_PROGRAM) >= ARRAY_SIZE(path)) return S_FALSE;
    lstrcpyW(slash + 1, FREERDP_PROGRAM);
    attributes = GetFileAttributesW(path);
    if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_DIRECTORY)) return S_FALSE;
    if (!unix_program_exists(role == BACKEND_SHARE ? "freerdp-shadow-cli" : "xfreerdp")) return S_FALSE;
    wsprintfW(buffer, L"\"%s\" %s", path, role == BACKEND_SHARE ? L"share" : L"connect");
    return S_OK;
}

HRESULT backend_get_command(enum backend_role role, WCHAR **command, BOOL *expand)
{
    const WCHAR *name = role == BACKEND_SHARE ? L"Share" : L"Connect";
    DWORD type, size = MAX_TEMPLATE * sizeof(WCHAR);
    WCHAR *buffer;
    LSTATUS status;

    *command = NULL;
    *expand = FALSE;
    if (!(buffer = CoTaskMemAlloc((MAX_TEMPLATE + 1) * sizeof(WCHAR)))) return E_OUTOFMEMORY;
    status = query_value(BACKENDS_KEY, name, &type, buffer, &size);
    if (status == ERROR_FILE_NOT_FOUND)
    {
        /* Nothing configured (an empty value is "no backend"): the built-in one. */
        if (get_default_command(role, buffer) != S_OK)
        {
            CoTaskMemFree(buffer);
            return S_FALSE;
        }
        TRACE("%s backend: the built-in %s\n", debugstr_w(name), debugstr_w(buffer));
        *command = buffer;
        return S_OK;
    }
    if (status || (type != REG_SZ && type != REG_EXPAND_SZ))
    {
        WARN("unusable %s backend: status %ld, type %lu\n", debugstr_w(name), status, type);
        CoTaskMemFree(buffer);
        return RA_E_BACKEND_CONFIG;
    }
    buffer[size / sizeof(WCHAR)] = 0;
    if (!buffer[0])
    {
        CoTaskMemFree(buffer);
        return S_FALSE;
    }

    /* Environment variables are expanded after our placeholders, so that an
     * environment variable named USER cannot stand in for %USER%. */
    *expand = type == REG_EXPAND_SZ;
    TRACE("%s backend %s%s\n", debugstr_w(name), debugstr_w(buffer), *expand ? " (expandable)" : "");
    *command = buffer;
    return S_OK;
}

void backend_sanitise_user(const WCHAR *name, UINT length, char *out)
{
    UINT i, n = 0;

    for (i = 0; i < length && n < BACKEND_MAX_USER; i++)
    {
        WCHAR c = name[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '@' || c == '.' || c == '_' || c == '+' || c == '-')
            out[n++] = (char)c;
        else
            out[n++] = '_';
    }
    out[n] = 0;
}

/* Command line and input */

struct wbuf
{
    WCHAR *data;
    size_t size;
    size_t len;
    BOOL overflow;
};

/* What does not fit is not written, and makes the whole command fail. */
static void wbuf_putc(struct wbuf *b, WCHAR c)
{
    if (b->overflow || b->len + 1 >= b->size) b->overflow = TRUE;
    else
    {
        b->data[b->len++] = c;
        b->data[b->len] = 0;
    }
}

static void wbuf_append_ascii(struct wbuf *b, const char *str)
{
    while (*str) wbuf_putc(b, (unsigned char)*str++);
}

static HRESULT expand_command(const struct backend_request *req, WCHAR **ret)
{
    char value[RV_TICKET_ADDRESS_BUFFER_SIZE + RV_TICKET_ID_TEXT_LENGTH + 8];
    const WCHAR *p = req->command;
    struct wbuf b;

    *ret = NULL;
    if (!(b.data = CoTaskMemAlloc((MAX_COMMAND + 1) * sizeof(WCHAR)))) return E_OUTOFMEMORY;
    b.size = MAX_COMMAND + 1;
    b.len = 0;
    b.overflow = FALSE;
    b.data[0] = 0;

    while (*p)
    {
        const WCHAR *name = NULL;

        if (*p == '%')
        {
            static const WCHAR *const names[] = { L"%USER%", L"%SESSION%", L"%ADDRESS%", L"%PORT%" };
            unsigned int i;

            for (i = 0; i < ARRAY_SIZE(names); i++)
                if (!wcsncmp(p, names[i], wcslen(names[i]))) name = names[i];
        }
        if (!name)
        {
            wbuf_putc(&b, *p++);
            continue;
        }
        if (!wcscmp(name, L"%USER%"))
            lstrcpynA(value, req->user, sizeof(value));
        else if (!wcscmp(name, L"%SESSION%"))
            rv_ticket_format_id(req->id, value);
        else if (req->role != BACKEND_CONNECT || !req->count)
        {
            WARN("%s has no value for a share backend\n", debugstr_w(name));
            CoTaskMemFree(b.data);
            return RA_E_BACKEND_CONFIG;
        }
        else if (!wcscmp(name, L"%ADDRESS%"))
            rv_ticket_format_address(&req->addresses[0], value);
        else
            wsprintfA(value, "%u", req->addresses[0].port);
        wbuf_append_ascii(&b, value);
        p += wcslen(name);
    }
    if (b.overflow)
    {
        WARN("command line too long\n");
        CoTaskMemFree(b.data);
        return RA_E_BACKEND_CONFIG;
    }
    if (req->expand)
    {
        /* Our values hold no '%': nothing of the peer's is expanded. */
        DWORD len = ExpandEnvironmentStringsW(b.data, NULL, 0);
        WCHAR *expanded;

        if (!len || len > MAX_COMMAND + 1)
        {
            WARN("command line too long once expanded\n");
            CoTaskMemFree(b.data);
            return RA_E_BACKEND_CONFIG;
        }
        if (!(expanded = CoTaskMemAlloc(len * sizeof(WCHAR))))
        {
            CoTaskMemFree(b.data);
            return E_OUTOFMEMORY;
        }
        ExpandEnvironmentStringsW(b.data, expanded, len);
        CoTaskMemFree(b.data);
        b.data = expanded;
    }
    *ret = b.data;
    return S_OK;
}

static HRESULT build_input(const struct backend_request *req, char **ret, size_t *size)
{
    static const char hex[] = "0123456789abcdef";
    char id[RV_TICKET_ID_TEXT_LENGTH + 1], address[RV_TICKET_ADDRESS_BUFFER_SIZE];
    size_t max = 600 + req->count * 80, len;
    unsigned int i;
    char *text;

    *ret = NULL;
    if (!(text = CoTaskMemAlloc(max))) return E_OUTOFMEMORY;
    rv_ticket_format_id(req->id, id);
    len = wsprintfA(text, "SESSION %s\nUSER %s\n", id, req->user);
    if (req->code) len += wsprintfA(text + len, "CODE %s\n", req->code);
    len += wsprintfA(text + len, "SECRET ");
    for (i = 0; i < BACKEND_SECRET_SIZE; i++)
    {
        text[len++] = hex[req->secret[i] >> 4];
        text[len++] = hex[req->secret[i] & 0xf];
    }
    text[len++] = '\n';
    if (req->role == BACKEND_CONNECT && req->fingerprint)
    {
        len += wsprintfA(text + len, "FINGERPRINT ");
        for (i = 0; i < BACKEND_FINGERPRINT_SIZE; i++)
        {
            text[len++] = hex[req->fingerprint[i] >> 4];
            text[len++] = hex[req->fingerprint[i] & 0xf];
        }
        text[len++] = '\n';
    }
    for (i = 0; req->role == BACKEND_CONNECT && i < req->count; i++)
    {
        rv_ticket_format_address(&req->addresses[i], address);
        len += wsprintfA(text + len, "ADDRESS %s PORT %u\n", address, req->addresses[i].port);
    }
    memcpy(text + len, "END\n", 4);
    len += 4;
    *ret = text;
    *size = len;
    return S_OK;
}

/* Jobs */

static void job_free(struct backend_job *job)
{
    /* Never handed over: the session does not use it. */
    backend_process_stop(&job->process);
    if (job->input)
    {
        SecureZeroMemory(job->input, job->input_size);
        CoTaskMemFree(job->input);
    }
    CoTaskMemFree(job->command);
    CoTaskMemFree(job);
    unlock_module();
}

void backend_release(struct backend_job *job)
{
    if (job && !InterlockedDecrement(&job->refcount)) job_free(job);
}

static BOOL CALLBACK answer_no(HWND hwnd, LPARAM lparam)
{
    PostMessageW(hwnd, WM_COMMAND, IDNO, 0);
    return TRUE;
}

void backend_cancel(struct backend_job *job)
{
    if (!job) return;
    InterlockedExchange(&job->cancelled, 1);
    /* A question still on the screen is answered "no": the session is over. */
    if (job->thread_id) EnumThreadWindows(job->thread_id, answer_no, 0);
}

HRESULT backend_get_result(struct backend_job *job)
{
    return job->hr;
}

unsigned int backend_get_addresses(struct backend_job *job, struct rv_ticket_address *addresses)
{
    memcpy(addresses, job->addresses, job->count * sizeof(*addresses));
    return job->count;
}

BOOL backend_get_fingerprint(struct backend_job *job, BYTE *fingerprint)
{
    if (job->has_fingerprint) memcpy(fingerprint, job->fingerprint, sizeof(job->fingerprint));
    return job->has_fingerprint;
}

void backend_take_process(struct backend_job *job, struct backend_process *out)
{
    *out = job->process;
    memset(&job->process, 0, sizeof(job->process));
}

void backend_process_stop(struct backend_process *process)
{
    if (process->job) TerminateJobObject(process->job, ERROR_CANCELLED);
    else if (process->process) TerminateProcess(process->process, ERROR_CANCELLED);
    backend_process_detach(process);
}

void backend_process_detach(struct backend_process *process)
{
    if (process->job) CloseHandle(process->job);
    if (process->process) CloseHandle(process->process);
    memset(process, 0, sizeof(*process));
}

/* Share backends the helper is using.  Their jobs end when the last handle to
 * them closes (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE), and this list holds that
 * handle: when the IM program's process ends, however it ends, the screen
 * stops being shared.  Entries go once their backend has ended on its own. */
struct held_share
{
    struct held_share *next;
    struct backend_process process;
};

static SRWLOCK held_lock = SRWLOCK_INIT;
static struct held_share *held_shares;

/* Frees the entries whose backend has ended; held_lock is held. */
static unsigned int prune_held_shares(void)
{
    struct held_share **link = &held_shares, *share;
    unsigned int running = 0;

    while ((share = *link))
    {
        if (WaitForSingleObject(share->process.process, 0) == WAIT_TIMEOUT)
        {
            running++;
            link = &share->next;
            continue;
        }
        *link = share->next;
        backend_process_detach(&share->process);
        CoTaskMemFree(share);
    }
    return running;
}

void backend_process_hand_over(struct backend_process *process)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
    struct held_share *share;

    if (!process->process) return;
    if (!process->job)
        WARN("backend not in a job: it outlives this process\n");
    else
    {
        memset(&limits, 0, sizeof(limits));
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        if (!SetInformationJobObject(process->job, JobObjectExtendedLimitInformation, &limits, sizeof(limits)))
            WARN("cannot tie the backend to this process: %lu\n", GetLastError());
    }
    if (!(share = CoTaskMemAlloc(sizeof(*share))))
    {
        /* Closing the job's handle here would stop the screen the helper now sees. */
        WARN("out of memory: the backend's handles stay open until this process ends\n");
        memset(process, 0, sizeof(*process));
        return;
    }
    share->process = *process;
    memset(process, 0, sizeof(*process));
    AcquireSRWLockExclusive(&held_lock);
    prune_held_shares();
    share->next = held_shares;
    held_shares = share;
    ReleaseSRWLockExclusive(&held_lock);
}

unsigned int backend_shares_running(void)
{
    unsigned int running;

    AcquireSRWLockExclusive(&held_lock);
    running = prune_held_shares();
    ReleaseSRWLockExclusive(&held_lock);
    return running;
}

/* Starts the command suspended and puts it in a job of its own before it runs,
 * so that everything it starts (its console host first) is in the job too.
 * Without one (a caller already in a job Wine cannot nest), the process alone. */
static BOOL create_backend_process(struct backend_job *job, STARTUPINFOW *si, struct backend_process *out)
{
    PROCESS_INFORMATION pi;
    unsigned int attempt;

    for (attempt = 1;; attempt++)
    {
        /* No console: Wine would start a conhost.exe for it, ~40 ms before the backend's own start. */
        if (CreateProcessW(NULL, job->command, NULL, NULL, TRUE, DETACHED_PROCESS | CREATE_SUSPENDED, NULL, NULL,
                           si, &pi))
            break;
        /* Wine 8 reports a new process that died before it was set up as
         * ERROR_INTERNAL_ERROR (seen under load); none of its code ran, so
         * starting it again is safe. */
        if (GetLastError() != ERROR_INTERNAL_ERROR || attempt == START_ATTEMPTS || job->cancelled)
            return FALSE;
        WARN("backend died while starting, attempt %u\n", attempt);
        Sleep(START_RETRY_MS);
    }
    out->process = pi.hProcess;
    out->job = CreateJobObjectW(NULL, NULL);
    if (out->job && !AssignProcessToJobObject(out->job, pi.hProcess))
    {
        WARN("backend runs outside a job: %lu\n", GetLastError());
        CloseHandle(out->job);
        out->job = NULL;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    return TRUE;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "FINGERPRINT " and exactly 64 hex digits, once. */
static HRESULT parse_fingerprint(struct backend_job *job, const char *text, size_t len)
{
    unsigned int i;

    if (job->has_fingerprint || len != 2 * BACKEND_FINGERPRINT_SIZE)
    {
        WARN("share backend gave a second or malformed fingerprint\n");
        return RA_E_BACKEND_OUTPUT;
    }
    for (i = 0; i < BACKEND_FINGERPRINT_SIZE; i++)
    {
        int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);

        if (hi < 0 || lo < 0) return RA_E_BACKEND_OUTPUT;
        job->fingerprint[i] = hi << 4 | lo;
    }
    job->has_fingerprint = TRUE;
    return S_FALSE;
}

static HRESULT exit_code_result(DWORD code)
{
    return (code & 0x80000000) ? (HRESULT)code : HRESULT_FROM_WIN32(code);
}

/* One line of output; S_OK when it was READY, S_FALSE to read on. */
static HRESULT parse_line(struct backend_job *job, char *line, size_t len)
{
    if (len && line[len - 1] == '\r') line[--len] = 0;
    TRACE("backend says %s\n", debugstr_a(line));

    if (len == 5 && !memcmp(line, "READY", 5))
    {
        if (job->role == BACKEND_SHARE && !job->count)
        {
            WARN("share backend is ready but gave no address\n");
            return RA_E_BACKEND_OUTPUT;
        }
        return S_OK;
    }
    if (job->role == BACKEND_SHARE && len >= 12 && !memcmp(line, "FINGERPRINT ", 12))
        return parse_fingerprint(job, line + 12, len - 12);
    if (job->role == BACKEND_SHARE && len > 8 && !memcmp(line, "ADDRESS ", 8))
    {
        struct rv_ticket_address a;
        const char *addr = line + 8, *port = strstr(addr, " PORT ");
        unsigned int value = 0;
        const char *p;

        if (!port || job->count == RV_TICKET_MAX_ADDRESSES) return RA_E_BACKEND_OUTPUT;
        memset(&a, 0, sizeof(a));
        if (rv_ticket_parse_address(addr, port - addr, &a)) return RA_E_BACKEND_OUTPUT;
        p = port + 6;
        if (!*p || *p == '0' || strlen(p) > 5) return RA_E_BACKEND_OUTPUT;
        for (; *p; p++)
        {
            if (*p < '0' || *p > '9') return RA_E_BACKEND_OUTPUT;
            value = value * 10 + (*p - '0');
        }
        if (value > 65535) return RA_E_BACKEND_OUTPUT;
        a.port = (uint16_t)value;
        job->addresses[job->count++] = a;
    }
    return S_FALSE;
}

/* The backend's standard output, read overlapped: a line wakes the wait at
 * once instead of at the next look (issue 18: no polling on the way to READY). */
struct backend_output
{
    HANDLE pipe;
    OVERLAPPED overlapped;
    BOOL pending;
    BOOL eof;
    char chunk[256];
};

/* A pipe only this process and the child can hold: one instance, a random name,
 * the child's end opened before anyone else can. */
static BOOL create_output_pipe(HANDLE *read, HANDLE *write)
{
    WCHAR name[80];
    DWORD tag[2];

    *read = *write = NULL;
    if (rv_random(&tag, sizeof(tag))) return FALSE;
    swprintf(name, ARRAY_SIZE(name), L"\\\\.\\pipe\\wine-rendezvous-backend-%lu-%08lx%08lx", GetCurrentProcessId(),
             tag[0], tag[1]);
    *read = CreateNamedPipeW(name, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                             PIPE_TYPE_BYTE | PIPE_WAIT, 1, 0, 4096, 0, NULL);
    if (*read == INVALID_HANDLE_VALUE)
    {
        *read = NULL;
        return FALSE;
    }
    *write = CreateFileW(name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (*write != INVALID_HANDLE_VALUE) return TRUE;
    *write = NULL;
    CloseHandle(*read);
    *read = NULL;
    return FALSE;
}

/* Up to wait_ms for output or the process's end; the bytes read, 0 if none. */
static DWORD output_read(struct backend_output *out, HANDLE process, DWORD wait_ms)
{
    HANDLE handles[2] = { out->overlapped.hEvent, process };
    DWORD got = 0;

    if (out->eof)
    {
        WaitForSingleObject(process, wait_ms);
        return 0;
    }
    if (!out->pending)
    {
        if (!ReadFile(out->pipe, out->chunk, sizeof(out->chunk), NULL, &out->overlapped) &&
            GetLastError() != ERROR_IO_PENDING)
        {
            out->eof = TRUE;    /* ERROR_BROKEN_PIPE: every writer is gone */
            return 0;
        }
        out->pending = TRUE;
    }
    /* A read that completed at once has set the event already. */
    WaitForMultipleObjects(2, handles, FALSE, wait_ms);
    if (!GetOverlappedResult(out->pipe, &out->overlapped, &got, FALSE))
    {
        if (GetLastError() == ERROR_IO_INCOMPLETE) return 0;
        out->eof = TRUE;
        got = 0;
    }
    out->pending = FALSE;
    return got;
}

/* Reads lines until READY, a failure, the process's end or the timeout. */
static HRESULT read_until_ready(struct backend_job *job, HANDLE process, struct backend_output *out)
{
    char line[MAX_LINE + 1];
    size_t used = 0, total = 0;
    DWORD start = GetTickCount(), got, i, code;
    HRESULT hr;

    for (;;)
    {
        if (job->cancelled) return HRESULT_FROM_WIN32(ERROR_CANCELLED);

        /* The wait is bounded only to see a cancel or the timeout. */
        if ((got = output_read(out, process, POLL_MS)))
        {
            for (i = 0; i < got; i++)
            {
                if (++total > MAX_OUTPUT) return RA_E_BACKEND_OUTPUT;
                if (out->chunk[i] != '\n')
                {
                    if (used == MAX_LINE) return RA_E_BACKEND_OUTPUT;
                    line[used++] = out->chunk[i] ? out->chunk[i] : ' ';
                    continue;
                }
                line[used] = 0;
                hr = parse_line(job, line, used);
                used = 0;
                if (hr != S_FALSE) return hr;
            }
            continue;
        }

        /* What it wrote before it ended has been read: a read completes as
         * soon as bytes are in the pipe, before the writer can exit. */
        if (WaitForSingleObject(process, 0) == WAIT_OBJECT_0)
        {
            if (used)
            {
                line[used] = 0;
                hr = parse_line(job, line, used);
                used = 0;
                if (hr != S_FALSE) return hr;
            }
            GetExitCodeProcess(process, &code);
            TRACE("backend exited with %#lx before READY\n", code);
            if (code) return exit_code_result(code);
            /* A connect backend may be a launcher that starts the viewer and exits. */
            return job->role == BACKEND_CONNECT ? S_OK : RA_E_BACKEND_OUTPUT;
        }
        if (GetTickCount() - start >= job->timeout) return RA_E_TIMEOUT;
    }
}

static HRESULT wait_started(struct backend_job *job, HANDLE process, HANDLE output)
{
    struct backend_output out;
    DWORD got;
    HRESULT hr;

    memset(&out, 0, sizeof(out));
    out.pipe = output;
    if (!(out.overlapped.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL))) return HRESULT_FROM_WIN32(GetLastError());
    hr = read_until_ready(job, process, &out);
    /* The read in flight writes into out: it must be over before out goes. */
    if (out.pending && CancelIoEx(output, &out.overlapped)) GetOverlappedResult(output, &out.overlapped, &got, TRUE);
    CloseHandle(out.overlapped.hEvent);
    return hr;
}

static HRESULT run_backend(struct backend_job *job)
{
    HANDLE in_read = NULL, in_write = NULL, out_read = NULL, out_write = NULL, err = NULL;
    struct backend_process process = {0};
    STARTUPINFOW si;
    HRESULT hr;
    DWORD written;

    if (!CreatePipe(&in_read, &in_write, NULL, 0) || !create_output_pipe(&out_read, &out_write))
    {
        hr = HRESULT_FROM_WIN32(GetLastError());
        goto done;
    }
    /* Only the child's ends are inherited. */
    SetHandleInformation(in_read, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    SetHandleInformation(out_write, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    err = CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (err == INVALID_HANDLE_VALUE) err = NULL;
    else SetHandleInformation(err, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_read;
    si.hStdOutput = out_write;
    si.hStdError = err;
    TRACE("starting %s\n", debugstr_w(job->command));
    if (!create_backend_process(job, &si, &process))
    {
        hr = HRESULT_FROM_WIN32(GetLastError());
        WARN("cannot start %s: %#lx\n", debugstr_w(job->command), hr);
        goto done;
    }
    CloseHandle(in_read);
    CloseHandle(out_write);
    in_read = out_write = NULL;

    /* A few hundred bytes: the pipe holds them even if the child never reads. */
    if (!WriteFile(in_write, job->input, job->input_size, &written, NULL))
        TRACE("backend did not take its input: %lu\n", GetLastError());
    CloseHandle(in_write);
    in_write = NULL;

    hr = wait_started(job, process.process, out_read);
    if (FAILED(hr))
    {
        WARN("backend failed: %#lx\n", hr);
        backend_process_stop(&process);
    }
    else if (job->role == BACKEND_SHARE)
        job->process = process;   /* stopped if the session fails before the helper is in */
    else
        backend_process_detach(&process);

done:
    if (in_read) CloseHandle(in_read);
    if (in_write) CloseHandle(in_write);
    if (out_read) CloseHandle(out_read);
    if (out_write) CloseHandle(out_write);
    if (err) CloseHandle(err);
    return hr;
}

/* Asks the user before the screen is shared, as ShareConsent says. */
static HRESULT ask_consent(struct backend_job *job)
{
    DWORD consent = get_dword(SETTINGS_KEY, L"ShareConsent", CONSENT_ASK, CONSENT_ASK, CONSENT_DECLINE);
    WCHAR text[512], check[128] = L"";
    int answer;

    if (consent == CONSENT_ACCEPT) return S_OK;
    if (consent == CONSENT_DECLINE)
    {
        TRACE("sharing declined by ShareConsent\n");
        return HRESULT_FROM_WIN32(ERROR_CANCELLED);
    }
    /* Only a session of ours has a code; another IM's question has no such line. */
    if (job->code[0])
        wsprintfW(check, L"Check that your helper sees the same security code: %S\n\n", job->code);
    wsprintfW(text, L"%S asks for Remote Assistance.\n\n%sLet %S see your screen now?", job->user, check,
              job->user);
    answer = MessageBoxW(NULL, text, L"Remote Assistance", MB_YESNO | MB_ICONQUESTION | MB_DEFBUTTON2 |
                         MB_SETFOREGROUND | MB_TOPMOST);
    TRACE("the user answered %d\n", answer);
    if (answer != IDYES || job->cancelled) return HRESULT_FROM_WIN32(ERROR_CANCELLED);
    return S_OK;
}

static DWORD WINAPI backend_thread(void *arg)
{
    struct backend_job *job = arg;

    if (job->role != BACKEND_SHARE || (job->hr = ask_consent(job)) == S_OK)
        job->hr = run_backend(job);
    /* The input holds the secret: gone as soon as it is written. */
    SecureZeroMemory(job->input, job->input_size);
    if (!PostMessageW(job->window, job->message, 0, (LPARAM)job))
    {
        ERR("cannot report to window %p: %lu\n", job->window, GetLastError());
        backend_release(job);
    }
    return 0;
}

HRESULT backend_start(const struct backend_request *req, HWND window, UINT message, struct backend_job **ret)
{
    struct backend_job *job;
    HANDLE thread;
    HRESULT hr;

    *ret = NULL;
    if (!(job = CoTaskMemAlloc(sizeof(*job)))) return E_OUTOFMEMORY;
    memset(job, 0, sizeof(*job));
    job->refcount = 2;
    job->role = req->role;
    job->window = window;
    job->message = message;
    job->timeout = req->timeout;
    lstrcpynA(job->user, req->user, sizeof(job->user));
    if (req->code) lstrcpynA(job->code, req->code, sizeof(job->code));
    lock_module();

    if (FAILED(hr = expand_command(req, &job->command)) ||
        FAILED(hr = build_input(req, &job->input, &job->input_size)))
    {
        job_free(job);
        return hr;
    }
    if (!(thread = CreateThread(NULL, 0, backend_thread, job, 0, &job->thread_id)))
    {
        hr = HRESULT_FROM_WIN32(GetLastError());
        job_free(job);
        return hr;
    }
    CloseHandle(thread);
    *ret = job;
    return S_OK;
}

/*
 * msra: opens a Windows Remote Assistance invitation for the helper
 *
 *   msra /openfile FILE          asks for the password, checks the invitation
 *                                and shows the novice's screen with FreeRDP
 *   msra /decode FILE PASSWORD   for scripts: what the invitation holds
 *
 * Windows' Remote Assistance (msra.exe, Windows 7 to 11) saves an invitation
 * file (".MsRcIncident", [MS-RAI] 6) and shows the novice a password that
 * the novice passes on by another way.  The file's LHTICKET is the novice's
 * connection string 2 encrypted with that password; the helper proves the
 * password by sending the PassStub encrypted with it.  FreeRDP's client does
 * the RDP side (xfreerdp FILE /assistance:PASSWORD), started like the FreeRDP
 * backend's viewer: through the Unix script rendezvous-msra installed beside
 * this program, fed over a loopback socket.  docs/behaviour.md, "Windows
 * Remote Assistance invitations", says what is supported and what is not.
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
#include <windows.h>
#include <shellapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "msra.h"
#include "resource.h"
#include "unix_script.h"

/* Exit codes (docs/behaviour.md). */
#define EXIT_USAGE          1
#define EXIT_BAD_FILE       2   /* unreadable, or not an invitation */
#define EXIT_WRONG_PASSWORD 3
#define EXIT_EXPIRED        4   /* /openfile only */
#define EXIT_CANCELLED      5   /* /openfile: the user said no */
#define EXIT_VIEWER         6   /* /openfile: the viewer could not run */
#define EXIT_INTERNAL       7   /* the CryptoAPI or the system failed */

#define SCRIPT_NAME L"rendezvous-msra"
#define MAX_LINE 256
#define TITLE L"Windows Remote Assistance"

/* One opened invitation. */
struct invitation
{
    const WCHAR *path;
    struct rv_rai_invitation file;
    struct rv_rai_string2 string2;  /* when the file has LHTICKET */
    const struct rv_rai_address *addresses;
    uint32_t count;
    WCHAR password[257];            /* /openfile: once checked */
};

static void write_handle(DWORD which, const char *format, va_list args)
{
    char text[1024];
    DWORD written;
    int n = vsnprintf(text, sizeof(text), format, args);

    if (n < 0) return;
    if ((size_t)n >= sizeof(text)) n = sizeof(text) - 1;
    /* "\n", not the C runtime's "\r\n": scripts read this. */
    WriteFile(GetStdHandle(which), text, n, &written, NULL);
}

static void out(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    write_handle(STD_OUTPUT_HANDLE, format, args);
    va_end(args);
}

static void err(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    write_handle(STD_ERROR_HANDLE, format, args);
    va_end(args);
}

/* The UTF-8 of a wide string, in a fixed buffer (truncated if need be). */
static const char *utf8(const WCHAR *text, char *buffer, int size)
{
    if (!WideCharToMultiByte(CP_UTF8, 0, text, -1, buffer, size, NULL, NULL)) buffer[0] = 0;
    buffer[size - 1] = 0;
    return buffer;
}

static ULONGLONG unix_now(void)
{
    FILETIME ft;
    ULARGE_INTEGER t;

    GetSystemTimeAsFileTime(&ft);
    t.LowPart = ft.dwLowDateTime;
    t.HighPart = ft.dwHighDateTime;
    return (t.QuadPart - 116444736000000000ull) / 10000000;
}

/* The end of the invitation's validity: DtStart + DtLength minutes. */
static LONGLONG expiry(const struct rv_rai_invitation *file)
{
    return file->dt_start + 60 * (LONGLONG)file->dt_length;
}

/* Reads and parses the file; 0 or an exit code, with *why set. */
static int load(struct invitation *inv, const WCHAR *path, const char **why)
{
    static BYTE bytes[RV_RAI_MAX_FILE_SIZE + 1];
    HANDLE file;
    DWORD size = 0;
    BOOL read;

    memset(inv, 0, sizeof(*inv));
    inv->path = path;
    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        *why = "cannot open the file";
        return EXIT_BAD_FILE;
    }
    read = ReadFile(file, bytes, sizeof(bytes), &size, NULL);
    CloseHandle(file);
    if (!read)
    {
        *why = "cannot read the file";
        return EXIT_BAD_FILE;
    }
    if (size > RV_RAI_MAX_FILE_SIZE)
    {
        *why = "the file is too large to be an invitation";
        return EXIT_BAD_FILE;
    }
    if (rv_rai_parse_file(bytes, size, &inv->file) != RV_S_OK)
    {
        *why = "not a Remote Assistance invitation";
        return EXIT_BAD_FILE;
    }
    if (!inv->file.passstub[0])
    {
        *why = "the invitation has no PassStub";
        return EXIT_BAD_FILE;
    }
    inv->addresses = inv->file.rcticket.addresses;
    inv->count = inv->file.rcticket.count;
    return 0;
}

/*
 * Checks the password where the file allows it: a Windows Vista or later
 * invitation (LHTICKET) decrypts only with the right one, and its
 * connection string 2 gives the addresses.  A Windows XP one (RCTICKET only)
 * cannot be checked here: only the novice can.
 */
static int unlock(struct invitation *inv, const WCHAR *password, const char **why)
{
    enum msra_status status;

    if (!inv->file.lhticket_size) return 0;
    status = msra_decrypt_lhticket(password, inv->file.lhticket, (DWORD)inv->file.lhticket_size, &inv->string2);
    if (status == MSRA_WRONG_PASSWORD)
    {
        *why = "wrong password";
        return EXIT_WRONG_PASSWORD;
    }
    if (status != MSRA_OK)
    {
        *why = "the CryptoAPI failed";
        return EXIT_INTERNAL;
    }
    inv->addresses = inv->string2.addresses;
    inv->count = inv->string2.count;
    return 0;
}

static int decode(const WCHAR *path, const WCHAR *password)
{
    static const char hex[] = "0123456789abcdef";
    BYTE blob[MSRA_PASSSTUB_BLOB_SIZE];
    char text[2 * MSRA_PASSSTUB_BLOB_SIZE + 1], name[MAX_PATH * 3];
    struct invitation inv;
    const char *why = NULL;
    DWORD size = 0, i;
    int ret;

    utf8(path, name, sizeof(name));
    if ((ret = load(&inv, path, &why)) || (ret = unlock(&inv, password, &why)))
    {
        err("msra: %s: %s\n", name, why);
        return ret;
    }
    if (msra_encrypt_passstub(password, inv.file.passstub, blob, &size) != MSRA_OK)
    {
        err("msra: %s: the CryptoAPI failed (error %lu)\n", name, GetLastError());
        return EXIT_INTERNAL;
    }
    for (i = 0; i < size; i++)
    {
        text[2 * i] = hex[blob[i] >> 4];
        text[2 * i + 1] = hex[blob[i] & 0xf];
    }
    text[2 * size] = 0;
    SecureZeroMemory(blob, sizeof(blob));
    for (i = 0; i < inv.count; i++) out("%s %u\n", inv.addresses[i].host, inv.addresses[i].port);
    out("PASSSTUB %s\n", text);
    if (inv.file.has_expiry) out("EXPIRES %lld\n", (long long)expiry(&inv.file));
    else out("EXPIRES never\n");
    return 0;
}

static void show_error(HWND owner, const WCHAR *format, ...)
{
    WCHAR text[1024];
    va_list args;

    va_start(args, format);
    vswprintf(text, ARRAYSIZE(text), format, args);
    va_end(args);
    MessageBoxW(owner, text, TITLE, MB_OK | MB_ICONERROR);
}

/* The UTC date and time of a Unix time, for the user. */
static void format_time(LONGLONG when, WCHAR *buffer, int size)
{
    ULARGE_INTEGER t;
    FILETIME ft, local;
    SYSTEMTIME st;
    WCHAR date[64], clock[64];

    t.QuadPart = (ULONGLONG)when * 10000000 + 116444736000000000ull;
    ft.dwLowDateTime = t.LowPart;
    ft.dwHighDateTime = t.HighPart;
    if (!FileTimeToLocalFileTime(&ft, &local) || !FileTimeToSystemTime(&local, &st) ||
        !GetDateFormatW(LOCALE_USER_DEFAULT, DATE_LONGDATE, &st, NULL, date, ARRAYSIZE(date)) ||
        !GetTimeFormatW(LOCALE_USER_DEFAULT, 0, &st, NULL, clock, ARRAYSIZE(clock)))
    {
        swprintf(buffer, size, L"%lld", (long long)when);
        return;
    }
    swprintf(buffer, size, L"%s %s", date, clock);
}

static INT_PTR CALLBACK password_proc(HWND dialog, UINT msg, WPARAM wparam, LPARAM lparam)
{
    struct invitation *inv;
    WCHAR text[512], name[RV_RAI_NAME_BUFFER_SIZE], until[128], password[257];
    const char *why;
    int ret;

    switch (msg)
    {
    case WM_INITDIALOG:
        inv = (struct invitation *)lparam;
        SetWindowLongPtrW(dialog, DWLP_USER, lparam);
        if (!MultiByteToWideChar(CP_UTF8, 0, inv->file.username, -1, name, ARRAYSIZE(name))) name[0] = 0;
        if (inv->file.has_expiry)
        {
            format_time(expiry(&inv->file), until, ARRAYSIZE(until));
            swprintf(text, ARRAYSIZE(text), L"%s asks for your help. The invitation is valid until %s.",
                     name, until);
        }
        else swprintf(text, ARRAYSIZE(text), L"%s asks for your help.", name);
        SetDlgItemTextW(dialog, IDC_WHO, text);
        SendDlgItemMessageW(dialog, IDC_PASSWORD, EM_LIMITTEXT, ARRAYSIZE(password) - 1, 0);
        return TRUE;
    case WM_COMMAND:
        inv = (struct invitation *)GetWindowLongPtrW(dialog, DWLP_USER);
        if (LOWORD(wparam) == IDCANCEL)
        {
            EndDialog(dialog, EXIT_CANCELLED);
            return TRUE;
        }
        if (LOWORD(wparam) != IDOK) return FALSE;
        GetDlgItemTextW(dialog, IDC_PASSWORD, password, ARRAYSIZE(password));
        ret = password[0] ? unlock(inv, password, &why) : EXIT_WRONG_PASSWORD;
        if (ret == EXIT_WRONG_PASSWORD)
        {
            /* Stay, for another try; the viewer does not start. */
            SetDlgItemTextW(dialog, IDC_STATUS, L"This is not the invitation's password. Ask for it again.");
            SetDlgItemTextW(dialog, IDC_PASSWORD, L"");
            SecureZeroMemory(password, sizeof(password));
            return TRUE;
        }
        if (!ret) lstrcpyW(inv->password, password);
        SecureZeroMemory(password, sizeof(password));
        EndDialog(dialog, ret);
        return TRUE;
    }
    return FALSE;
}

/* Only what fits on one line of the script's input: no control character. */
static void one_line(char *text)
{
    for (; *text; text++)
        if ((unsigned char)*text < 0x20 || *text == 0x7f) *text = ' ';
}

/* Runs the viewer through the script; an exit code. */
static int run_viewer(const struct invitation *inv, const WCHAR *password)
{
    static char text[16384];
    char *script, *file, user[RV_RAI_NAME_BUFFER_SIZE], secret[257 * 3], line[MAX_LINE + 1];
    WCHAR full[MAX_PATH];
    SOCKET ours, theirs;
    WSADATA wsa;
    size_t len;
    BOOL ready = FALSE;
    DWORD code = 0, i;

    if (!(script = unix_script_beside(SCRIPT_NAME)))
    {
        show_error(NULL, L"The program %s is missing beside msra.exe.", SCRIPT_NAME);
        return EXIT_VIEWER;
    }
    if (!GetFullPathNameW(inv->path, ARRAYSIZE(full), full, NULL) || !(file = unix_file_name(full)))
    {
        HeapFree(GetProcessHeap(), 0, script);
        show_error(NULL, L"The invitation has no Unix path.");
        return EXIT_VIEWER;
    }
    utf8(password, secret, sizeof(secret));
    for (i = 0; secret[i]; i++)
        if ((unsigned char)secret[i] < 0x20) break;
    if (secret[i] || WSAStartup(MAKEWORD(2, 2), &wsa) || !unix_script_socket_pair(&ours, &theirs))
    {
        SecureZeroMemory(secret, sizeof(secret));
        HeapFree(GetProcessHeap(), 0, file);
        HeapFree(GetProcessHeap(), 0, script);
        return EXIT_INTERNAL;
    }
    lstrcpynA(user, inv->file.username, sizeof(user));
    one_line(user);
    one_line(file);
    /* The script's input, in the socket before it starts: the password is
     * on no command line of ours (the viewer's is another matter). */
    len = snprintf(text, sizeof(text), "FILE %s\nUSER %s\nPASSWORD %s\n", file, user, secret);
    for (i = 0; i < inv->count && len < sizeof(text); i++)
        len += snprintf(text + len, sizeof(text) - len, "ADDRESS %s %u\n", inv->addresses[i].host,
                        inv->addresses[i].port);
    if (len < sizeof(text)) len += snprintf(text + len, sizeof(text) - len, "END\n");
    SecureZeroMemory(secret, sizeof(secret));
    HeapFree(GetProcessHeap(), 0, file);
    if (len >= sizeof(text) || !unix_script_send(ours, text, len))
    {
        SecureZeroMemory(text, sizeof(text));
        HeapFree(GetProcessHeap(), 0, script);
        return EXIT_INTERNAL;
    }
    SecureZeroMemory(text, sizeof(text));

    code = unix_script_start(script, "", theirs);
    HeapFree(GetProcessHeap(), 0, script);
    if (code)
    {
        closesocket(ours);
        show_error(NULL, L"The viewer could not be started (error %lu).", code);
        return EXIT_VIEWER;
    }

    while (unix_script_read_line(ours, line, sizeof(line)))
    {
        if (!strncmp(line, "EXIT ", 5)) code = strtoul(line + 5, NULL, 10);
        else if (!strcmp(line, "READY")) ready = TRUE;
    }
    closesocket(ours);
    WSACleanup();
    if (!ready || code)
    {
        show_error(NULL, L"The Remote Assistance viewer failed (error %lu).", code);
        return EXIT_VIEWER;
    }
    return 0;
}

static int open_file(const WCHAR *path)
{
    WCHAR until[128], name[MAX_PATH];
    struct invitation inv;
    const char *why = NULL;
    INT_PTR ret;
    HWND none = NULL;

    if ((ret = load(&inv, path, &why)))
    {
        MultiByteToWideChar(CP_UTF8, 0, why, -1, name, ARRAYSIZE(name));
        show_error(none, L"%s cannot be opened: %s.", path, name);
        return (int)ret;
    }
    if (inv.file.has_expiry && (LONGLONG)unix_now() >= expiry(&inv.file))
    {
        format_time(expiry(&inv.file), until, ARRAYSIZE(until));
        show_error(none, L"This invitation expired on %s. Ask for a new one.", until);
        return EXIT_EXPIRED;
    }
    ret = DialogBoxParamW(GetModuleHandleW(NULL), MAKEINTRESOURCEW(IDD_PASSWORD), NULL, password_proc,
                          (LPARAM)&inv);
    if (ret == -1) return EXIT_INTERNAL;
    if (ret) return (int)ret;
    ret = run_viewer(&inv, inv.password);
    SecureZeroMemory(inv.password, sizeof(inv.password));
    return (int)ret;
}

static void usage(void)
{
    err("usage: msra /openfile FILE\n"
        "       msra /decode FILE PASSWORD\n");
}

int main(void)
{
    WCHAR **argv;
    int argc, ret;

    if (!(argv = CommandLineToArgvW(GetCommandLineW(), &argc))) return EXIT_INTERNAL;
    if (argc == 4 && !lstrcmpiW(argv[1], L"/decode")) ret = decode(argv[2], argv[3]);
    else if (argc == 3 && !lstrcmpiW(argv[1], L"/openfile")) ret = open_file(argv[2]);
    else
    {
        usage();
        ret = EXIT_USAGE;
    }
    LocalFree(argv);
    return ret;
}

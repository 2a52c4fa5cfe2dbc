/*
 * rvfreerdp: the built-in FreeRDP backend of Remote Assistance
 *
 *   rvfreerdp share      started by the side that shares its screen
 *   rvfreerdp connect    started by the helper
 *
 * Remote Assistance runs this program like any backend (docs/behaviour.md,
 * "Backends"): the session's values and the one-time secret arrive on standard
 * input, "ADDRESS a PORT p", "FINGERPRINT h" and "READY" go back on standard
 * output; the helper's side gets the ticket's FINGERPRINT, which its viewer
 * requires of the server's certificate.  The work
 * is done by the Unix script rendezvous-freerdp installed beside this program,
 * which runs rvshadow (FreeRDP's shadow server) or xfreerdp; this program
 * derives the RDP credential from the secret, starts the script and stays
 * alive as long as it runs.  Wine gives a Unix program no Windows pipes, so
 * the two talk over a
 * loopback socket that is the script's standard input and output; when this
 * program ends, even by TerminateProcess, the script reads end of file and
 * stops what it started.
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
#include <bcrypt.h>
#include <stdio.h>
#include <string.h>

#include "unix_script.h"

#define SECRET_SIZE 32
#define MAX_ADDRESSES 4
#define MAX_LINE 256
#define SCRIPT_NAME L"rendezvous-freerdp"

/* What the RDP side calls the helper: the account exists for one session only. */
#define RDP_USER "rendezvous"
/* The password is HMAC-SHA256(secret, label), first 16 bytes in hex: both sides
 * compute it from the ticket's secret, and it differs from anything the ticket shows. */
static const char password_label[] = "wine-rendezvous FreeRDP password 1";

struct input
{
    char session[64];
    char user[80];
    char code[8];       /* "123 456", or "" */
    char fingerprint[65];   /* 64 lower-case hex digits, or "" */
    BYTE secret[SECRET_SIZE];
    BOOL have_secret;
    char addresses[MAX_ADDRESSES][80];
    unsigned int count;
};

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void to_hex(const BYTE *data, size_t size, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < size; i++)
    {
        out[2 * i] = hex[data[i] >> 4];
        out[2 * i + 1] = hex[data[i] & 0xf];
    }
    out[2 * size] = 0;
}

/* Only characters the script can take as they are. */
static BOOL is_safe(const char *text)
{
    for (; *text; text++)
        if (!((*text >= 'a' && *text <= 'z') || (*text >= 'A' && *text <= 'Z') || (*text >= '0' && *text <= '9') ||
              strchr("@._+-:{} ", *text)))
            return FALSE;
    return TRUE;
}

/* Whether text is a security code as Remote Assistance gives it: "123 456". */
static BOOL is_code(const char *text)
{
    unsigned int i;

    for (i = 0; i < 7; i++)
        if (i == 3 ? text[i] != ' ' : (text[i] < '0' || text[i] > '9')) return FALSE;
    return !text[7];
}

/* Whether text is 64 hex digits, the SHA-256 of a certificate. */
static BOOL is_fingerprint(const char *text)
{
    unsigned int i;

    for (i = 0; i < 64; i++)
        if (hex_value(text[i]) < 0) return FALSE;
    return !text[64];
}

/* Reads the backend input (SESSION, USER, CODE, SECRET, FINGERPRINT, ADDRESS..., END) from standard input. */
static BOOL read_input(struct input *in)
{
    HANDLE handle = GetStdHandle(STD_INPUT_HANDLE);
    char line[MAX_LINE + 1];
    size_t used = 0;
    unsigned int lines = 0;
    DWORD got;
    char c;

    memset(in, 0, sizeof(*in));
    while (ReadFile(handle, &c, 1, &got, NULL) && got)
    {
        if (c == '\r') continue;
        if (c != '\n')
        {
            if (used == MAX_LINE) return FALSE;
            line[used++] = c;
            continue;
        }
        line[used] = 0;
        used = 0;
        if (++lines > 64) return FALSE;
        if (!strcmp(line, "END")) return in->have_secret && is_safe(in->user) && is_safe(in->session);
        if (!strncmp(line, "SESSION ", 8)) lstrcpynA(in->session, line + 8, sizeof(in->session));
        else if (!strncmp(line, "USER ", 5)) lstrcpynA(in->user, line + 5, sizeof(in->user));
        else if (!strncmp(line, "CODE ", 5))
        {
            if (!is_code(line + 5)) return FALSE;
            lstrcpynA(in->code, line + 5, sizeof(in->code));
        }
        else if (!strncmp(line, "FINGERPRINT ", 12))
        {
            unsigned int i;

            if (in->fingerprint[0] || !is_fingerprint(line + 12)) return FALSE;
            for (i = 0; i < 64; i++) in->fingerprint[i] = line[12 + i] | 0x20;   /* lower case */
            in->fingerprint[64] = 0;
        }
        else if (!strncmp(line, "SECRET ", 7) && strlen(line + 7) == 2 * SECRET_SIZE)
        {
            unsigned int i;

            for (i = 0; i < SECRET_SIZE; i++)
            {
                int hi = hex_value(line[7 + 2 * i]), lo = hex_value(line[8 + 2 * i]);

                if (hi < 0 || lo < 0) return FALSE;
                in->secret[i] = hi << 4 | lo;
            }
            in->have_secret = TRUE;
        }
        else if (!strncmp(line, "ADDRESS ", 8) && in->count < MAX_ADDRESSES)
        {
            if (!is_safe(line + 8)) return FALSE;
            lstrcpynA(in->addresses[in->count++], line + 8, sizeof(in->addresses[0]));
        }
        SecureZeroMemory(line, sizeof(line));
    }
    return FALSE;
}

static BOOL hash(const WCHAR *algorithm, BOOL hmac, const BYTE *key, ULONG key_size, const void *data, ULONG size,
                 BYTE *out, ULONG out_size)
{
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_HASH_HANDLE h;
    NTSTATUS status;

    if (BCryptOpenAlgorithmProvider(&alg, algorithm, NULL, hmac ? BCRYPT_ALG_HANDLE_HMAC_FLAG : 0)) return FALSE;
    status = BCryptCreateHash(alg, &h, NULL, 0, (BYTE *)key, key_size, 0);
    if (!status)
    {
        status = BCryptHashData(h, (BYTE *)data, size, 0);
        if (!status) status = BCryptFinishHash(h, out, out_size, 0);
        BCryptDestroyHash(h);
    }
    BCryptCloseAlgorithmProvider(alg, 0);
    return !status;
}

/* The one-time RDP password of the session, and for the sharer its NT hash
 * (MD4 of the UTF-16LE password), which is what a SAM file holds. */
static BOOL derive(const struct input *in, char *password, char *nt_hash)
{
    BYTE mac[32], nt[16];
    WCHAR wide[33];
    unsigned int i;

    if (!hash(BCRYPT_SHA256_ALGORITHM, TRUE, in->secret, SECRET_SIZE, password_label, strlen(password_label),
              mac, sizeof(mac)))
        return FALSE;
    to_hex(mac, 16, password);
    SecureZeroMemory(mac, sizeof(mac));
    if (!nt_hash) return TRUE;
    for (i = 0; i < 32; i++) wide[i] = password[i];
    if (!hash(BCRYPT_MD4_ALGORITHM, FALSE, NULL, 0, wide, 32 * sizeof(WCHAR), nt, sizeof(nt))) return FALSE;
    SecureZeroMemory(wide, sizeof(wide));
    to_hex(nt, sizeof(nt), nt_hash);
    SecureZeroMemory(nt, sizeof(nt));
    return TRUE;
}

static void say(const char *line)
{
    DWORD written;

    /* Remote Assistance closes its end once we are ready: later lines are lost. */
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), line, strlen(line), &written, NULL);
}

int main(int argc, char **argv)
{
    char password[33], nt_hash[33], text[1024], line[MAX_LINE + 2], *unix_path;
    SOCKET ours, theirs;
    WSADATA wsa;
    struct input in;
    BOOL share, ready = FALSE;
    size_t len;
    DWORD code = ERROR_BAD_FORMAT;
    unsigned int i;

    if (argc != 2 || (strcmp(argv[1], "share") && strcmp(argv[1], "connect")))
    {
        fprintf(stderr, "usage: rvfreerdp share|connect (the backend input on standard input)\n");
        return ERROR_BAD_ARGUMENTS;
    }
    share = !strcmp(argv[1], "share");
    if (!read_input(&in)) return ERROR_INVALID_DATA;
    if (!share && !in.count) return ERROR_INVALID_DATA;
    if (!derive(&in, password, share ? nt_hash : NULL)) return ERROR_INTERNAL_ERROR;
    SecureZeroMemory(in.secret, sizeof(in.secret));
    if (!(unix_path = unix_script_beside(SCRIPT_NAME))) return ERROR_NOT_SUPPORTED;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) || !unix_script_socket_pair(&ours, &theirs)) return ERROR_INTERNAL_ERROR;

    /* The script's input, in the socket before it starts: the credential never
     * appears on a command line or in the environment. */
    len = snprintf(text, sizeof(text), "SESSION %s\nUSER %s\nRDPUSER " RDP_USER "\n", in.session, in.user);
    /* The helper's viewer shows the code in its title, the sharer's window in
     * its text, for the users to compare. */
    if (in.code[0]) len += snprintf(text + len, sizeof(text) - len, "CODE %s\n", in.code);
    /* The viewer accepts only the server whose certificate the ticket names. */
    if (!share && in.fingerprint[0])
        len += snprintf(text + len, sizeof(text) - len, "FINGERPRINT %s\n", in.fingerprint);
    if (share) len += snprintf(text + len, sizeof(text) - len, "NTHASH %s\n", nt_hash);
    else len += snprintf(text + len, sizeof(text) - len, "PASSWORD %s\n", password);
    for (i = 0; !share && i < in.count; i++)
        len += snprintf(text + len, sizeof(text) - len, "ADDRESS %s\n", in.addresses[i]);
    len += snprintf(text + len, sizeof(text) - len, "END\n");
    SecureZeroMemory(password, sizeof(password));
    SecureZeroMemory(nt_hash, sizeof(nt_hash));
    if (!unix_script_send(ours, text, len))
    {
        SecureZeroMemory(text, sizeof(text));
        return ERROR_INTERNAL_ERROR;
    }
    SecureZeroMemory(text, sizeof(text));

    code = unix_script_start(unix_path, argv[1], theirs);
    HeapFree(GetProcessHeap(), 0, unix_path);
    if (code) return code;
    code = ERROR_BAD_FORMAT;

    /* Pass the script's lines on until READY; keep reading until it ends. */
    while (unix_script_read_line(ours, line, MAX_LINE + 1))
    {
        if (!strncmp(line, "EXIT ", 5))
        {
            code = strtoul(line + 5, NULL, 10);
            continue;
        }
        if (!strcmp(line, "READY")) ready = TRUE;
        strcat(line, "\n");
        say(line);
    }
    closesocket(ours);
    WSACleanup();
    return ready ? 0 : code;
}

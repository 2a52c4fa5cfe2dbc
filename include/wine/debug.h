/*
 * Wine-style debug channels for modules built with mingw-w64
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

/* Wine's own wine/debug.h needs Wine's ntdll import library, which a mingw-w64
 * build does not have.  This header offers the same names (TRACE, WARN, ERR,
 * FIXME, WINE_DEFAULT_DEBUG_CHANNEL, debugstr_*) and reads WINEDEBUG itself, with
 * the same syntax ("+chan", "-all", "warn+chan", "trace-chan,+all"), so that
 * WINEDEBUG=+rendezvous works the way Wine developers expect, also on Windows. */

#ifndef __WINE_RENDEZVOUS_DEBUG_H
#define __WINE_RENDEZVOUS_DEBUG_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

enum __wine_debug_class
{
    __WINE_DBCL_FIXME,
    __WINE_DBCL_ERR,
    __WINE_DBCL_WARN,
    __WINE_DBCL_TRACE,
};

struct __wine_debug_channel
{
    LONG init;          /* 0 until WINEDEBUG has been read */
    unsigned int flags; /* bit per __wine_debug_class */
    const char *name;
};

/* Applies one WINEDEBUG item ("[class]+name" or "[class]-name") to a channel. */
static inline void __wine_dbg_apply_item(struct __wine_debug_channel *ch, const char *item, size_t len)
{
    static const char *const classes[] = { "fixme", "err", "warn", "trace" };
    unsigned int mask = ~0u;
    const char *op = NULL;
    size_t i, name_len;

    for (i = 0; i < len; i++) if (item[i] == '+' || item[i] == '-') { op = item + i; break; }
    if (!op) return;
    if (op > item)
    {
        mask = 0;
        for (i = 0; i < ARRAYSIZE(classes); i++)
            if (strlen(classes[i]) == (size_t)(op - item) && !strncmp(classes[i], item, op - item))
                mask = 1u << i;
        if (!mask) return;
    }
    name_len = len - (op + 1 - item);
    if (!(name_len == 3 && !strncmp(op + 1, "all", 3)) &&
        !(strlen(ch->name) == name_len && !strncmp(op + 1, ch->name, name_len)))
        return;
    if (*op == '+') ch->flags |= mask;
    else ch->flags &= ~mask;
}

static inline unsigned int __wine_dbg_get_channel_flags(struct __wine_debug_channel *ch)
{
    if (!ch->init)
    {
        char env[512];
        unsigned int flags = (1u << __WINE_DBCL_FIXME) | (1u << __WINE_DBCL_ERR);
        DWORD len = GetEnvironmentVariableA("WINEDEBUG", env, sizeof(env));
        struct __wine_debug_channel tmp = { 1, flags, ch->name };

        if (len && len < sizeof(env))
        {
            char *p = env;
            while (*p)
            {
                size_t item_len = strcspn(p, ",");
                __wine_dbg_apply_item(&tmp, p, item_len);
                p += item_len;
                if (*p) p++;
            }
        }
        ch->flags = tmp.flags;
        InterlockedExchange(&ch->init, 1);
    }
    return ch->flags;
}

static inline void __wine_dbg_log(enum __wine_debug_class cls, struct __wine_debug_channel *ch,
                                  const char *function, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static inline void __wine_dbg_log(enum __wine_debug_class cls, struct __wine_debug_channel *ch,
                                  const char *function, const char *format, ...)
{
    static const char *const classes[] = { "fixme", "err", "warn", "trace" };
    char buffer[1024];
    va_list args;
    int len;

    len = snprintf(buffer, sizeof(buffer), "%04lx:%s:%s:%s ", GetCurrentThreadId(),
                   classes[cls], ch->name, function);
    if (len < 0 || len >= (int)sizeof(buffer)) return;
    va_start(args, format);
    vsnprintf(buffer + len, sizeof(buffer) - len, format, args);
    va_end(args);
    /* One write per line, so that threads do not interleave inside a line. */
    fputs(buffer, stderr);
    fflush(stderr);
}

#define __WINE_DPRINTF(cls, ch, ...) \
    do { if (__wine_dbg_get_channel_flags(&(ch)) & (1u << (cls))) \
             __wine_dbg_log(cls, &(ch), __func__, __VA_ARGS__); } while (0)

#define WINE_DEFAULT_DEBUG_CHANNEL(ch) \
    static struct __wine_debug_channel __wine_dbch_##ch = { 0, 0, #ch }; \
    static struct __wine_debug_channel * const __wine_dbch___default = &__wine_dbch_##ch
#define WINE_DECLARE_DEBUG_CHANNEL(ch) \
    static struct __wine_debug_channel __wine_dbch_##ch = { 0, 0, #ch }

#define TRACE(...) __WINE_DPRINTF(__WINE_DBCL_TRACE, *__wine_dbch___default, __VA_ARGS__)
#define WARN(...)  __WINE_DPRINTF(__WINE_DBCL_WARN, *__wine_dbch___default, __VA_ARGS__)
#define ERR(...)   __WINE_DPRINTF(__WINE_DBCL_ERR, *__wine_dbch___default, __VA_ARGS__)
#define FIXME(...) __WINE_DPRINTF(__WINE_DBCL_FIXME, *__wine_dbch___default, __VA_ARGS__)
#define TRACE_ON(ch) (__wine_dbg_get_channel_flags(&__wine_dbch_##ch) & (1u << __WINE_DBCL_TRACE))
#define WARN_ON(ch)  (__wine_dbg_get_channel_flags(&__wine_dbch_##ch) & (1u << __WINE_DBCL_WARN))

/* debugstr_* return strings from a small per-thread ring, like Wine's.  The
 * ring lives in a Win32 TLS slot rather than in __thread storage: gcc's
 * emulated TLS needs mingw's C runtime, which modules linked with Wine's
 * ucrtbase do not have.  A thread's ring stays allocated until the process
 * ends; only threads that trace with the channel on get one. */
struct __wine_dbg_ring
{
    char strings[8][512];
    unsigned int next;
};

static inline char *__wine_dbg_buffer(size_t size)
{
    static char fallback[512];
    static LONG slot = (LONG)TLS_OUT_OF_INDEXES;
    struct __wine_dbg_ring *ring;
    DWORD index = (DWORD)slot;

    (void)size;
    if (index == TLS_OUT_OF_INDEXES)
    {
        if ((index = TlsAlloc()) == TLS_OUT_OF_INDEXES) return fallback;
        if (InterlockedCompareExchange(&slot, (LONG)index, (LONG)TLS_OUT_OF_INDEXES) != (LONG)TLS_OUT_OF_INDEXES)
        {
            TlsFree(index);
            index = (DWORD)slot;
        }
    }
    if (!(ring = TlsGetValue(index)))
    {
        if (!(ring = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*ring)))) return fallback;
        TlsSetValue(index, ring);
    }
    return ring->strings[ring->next++ % 8];
}

static inline const char *wine_dbgstr_wn(const WCHAR *str, int n)
{
    char *buffer, *dst;
    const size_t max = 500;

    if (!str) return "(null)";
    if (!((ULONG_PTR)str >> 16)) { buffer = __wine_dbg_buffer(16); sprintf(buffer, "#%04x", (unsigned int)(ULONG_PTR)str); return buffer; }
    if (n < 0) n = lstrlenW(str);
    buffer = dst = __wine_dbg_buffer(max + 12);
    *dst++ = 'L';
    *dst++ = '"';
    while (n-- > 0 && dst < buffer + max - 10)
    {
        WCHAR c = *str++;
        if (c == '"' || c == '\\') { *dst++ = '\\'; *dst++ = (char)c; }
        else if (c == '\n') { *dst++ = '\\'; *dst++ = 'n'; }
        else if (c >= ' ' && c < 127) *dst++ = (char)c;
        else dst += sprintf(dst, "\\%04x", c);
    }
    *dst++ = '"';
    if (n > 0) { *dst++ = '.'; *dst++ = '.'; *dst++ = '.'; }
    *dst = 0;
    return buffer;
}

static inline const char *wine_dbgstr_w(const WCHAR *s) { return wine_dbgstr_wn(s, -1); }

static inline const char *wine_dbgstr_a(const char *s)
{
    char *buffer;
    if (!s) return "(null)";
    buffer = __wine_dbg_buffer(512);
    snprintf(buffer, 512, "\"%.500s\"", s);
    return buffer;
}

static inline const char *wine_dbgstr_guid(const GUID *id)
{
    char *buffer;
    if (!id) return "(null)";
    buffer = __wine_dbg_buffer(40);
    sprintf(buffer, "{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
            (unsigned long)id->Data1, id->Data2, id->Data3, id->Data4[0], id->Data4[1],
            id->Data4[2], id->Data4[3], id->Data4[4], id->Data4[5], id->Data4[6], id->Data4[7]);
    return buffer;
}

#define debugstr_a wine_dbgstr_a
#define debugstr_w wine_dbgstr_w
#define debugstr_wn wine_dbgstr_wn
#define debugstr_guid wine_dbgstr_guid

#endif /* __WINE_RENDEZVOUS_DEBUG_H */

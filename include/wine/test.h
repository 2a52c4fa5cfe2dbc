/*
 * Conformance test harness with the API, output and exit codes of Wine's wine/test.h
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

#ifndef __WINE_WINE_TEST_H
#define __WINE_WINE_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windef.h>
#include <winbase.h>
#include "wine/debug.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/* Messages are formatted by the C runtime's own printf, so check them against it: on mingw
 * gcc the "printf" archetype is the msvcrt one, which accepts %Iu and %I64x as Wine's do. */
#if defined(__GNUC__) || defined(__clang__)
#define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WINETEST_PRINTF_ATTR(fmt, args)
#endif

/* Settings, read from the WINETEST_* environment variables before the test starts. */
extern int winetest_debug;
extern int winetest_interactive;
extern int winetest_report_success;
extern int winetest_time;
extern int winetest_mute_threshold;
extern const char *winetest_platform;

extern void winetest_set_location(const char *file, int line);
extern void winetest_subtest(const char *name);
extern BOOL winetest_ignore_exceptions(BOOL ignore);
extern void winetest_start_todo(int is_todo);
extern int winetest_loop_todo(void);
extern void winetest_end_todo(void);
extern void winetest_start_flaky(int is_flaky);
extern int winetest_loop_flaky(void);
extern void winetest_end_flaky(void);
extern int winetest_get_mainargs(char ***pargv);
extern LONG winetest_get_failures(void);
extern void winetest_add_failures(LONG new_failures);
extern void winetest_wait_child_process(HANDLE process);
extern void winetest_push_context(const char *fmt, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_pop_context(void);

extern void winetest_ok(int condition, const char *msg, ...) WINETEST_PRINTF_ATTR(2, 3);
extern void winetest_vok(int condition, const char *msg, va_list args);
extern void winetest_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_vskip(const char *msg, va_list args);
extern void winetest_win_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_trace(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);

/* Each macro records the caller's location first, then expands to the function call, so that
 * ok(cond, fmt, ...) keeps printf argument checking and needs no variadic macros. */
#define ok_(file, line)       (winetest_set_location(file, line), 0) ? (void)0 : winetest_ok
#define skip_(file, line)     (winetest_set_location(file, line), 0) ? (void)0 : winetest_skip
#define win_skip_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_win_skip
#define trace_(file, line)    (winetest_set_location(file, line), 0) ? (void)0 : winetest_trace
#define subtest_(file, line)  (winetest_set_location(file, line), 0) ? (void)0 : winetest_subtest
#define wait_child_process_(file, line) \
    (winetest_set_location(file, line), 0) ? (void)0 : winetest_wait_child_process

#define ok       ok_(__FILE__, __LINE__)
#define skip     skip_(__FILE__, __LINE__)
#define win_skip win_skip_(__FILE__, __LINE__)
#define trace    trace_(__FILE__, __LINE__)
#define subtest  subtest_(__FILE__, __LINE__)
#define wait_child_process wait_child_process_(__FILE__, __LINE__)

#define ignore_exceptions(ignore) winetest_ignore_exceptions(ignore)

/* broken() marks results accepted from Windows only; on wine they still fail. */
#define broken(condition) (!strcmp(winetest_platform, "windows") && (condition))

/* todo and flaky blocks run their body exactly once; the start/end calls keep a per-thread
 * nesting mask, so a block may hold a statement, a compound statement or another block. */
#define todo_if(is_todo) \
    for (winetest_start_todo(is_todo); winetest_loop_todo(); winetest_end_todo())
#define todo_wine todo_if(!strcmp(winetest_platform, "wine"))
#define todo_wine_if(is_todo) todo_if((is_todo) && !strcmp(winetest_platform, "wine"))

#define flaky_if(is_flaky) \
    for (winetest_start_flaky(is_flaky); winetest_loop_flaky(); winetest_end_flaky())
#define flaky flaky_if(TRUE)
#define flaky_wine flaky_if(!strcmp(winetest_platform, "wine"))
#define flaky_wine_if(is_flaky) flaky_if((is_flaky) && !strcmp(winetest_platform, "wine"))

#define START_TEST(name) \
    void func_##name(void); \
    void func_##name(void)

#ifdef STANDALONE

/************************************************************************/
/* Implementation: compiled only into the generated testlist.c */

struct test
{
    const char *name;
    void (*func)(void);
};

extern const struct test winetest_testlist[];

int winetest_debug = 1;
int winetest_interactive = 0;
int winetest_report_success = 0;
int winetest_time = 0;
int winetest_mute_threshold = 42;
const char *winetest_platform = "windows";

static int winetest_report_flaky;
static int winetest_color;
static DWORD winetest_start_time;
static int winetest_argc;
static char **winetest_argv;
static const struct test *winetest_current_test;
static DWORD winetest_tls_index = TLS_OUT_OF_INDEXES;

/* Counters shared by every thread of the test; only ever changed atomically. */
static LONG winetest_successes;
static LONG winetest_failures;
static LONG winetest_flaky_failures;
static LONG winetest_skipped;
static LONG winetest_todo_successes;
static LONG winetest_todo_failures;
static LONG winetest_muted_todo_successes;
static LONG winetest_muted_skipped;
static LONG winetest_muted_traces;
static LONG winetest_line_counters[16384];

#define WINETEST_MAX_CONTEXTS 8
#define WINETEST_CONTEXT_SIZE 128

struct winetest_thread_data
{
    const char *current_file;
    int current_line;
    unsigned int todo_level;
    int todo_do_loop;
    unsigned int flaky_level;
    int flaky_do_loop;
    BOOL ignore_exceptions;
    unsigned int context_count;
    char context[WINETEST_MAX_CONTEXTS][WINETEST_CONTEXT_SIZE];
};

/* A message is built whole and written with one call, so that lines from several threads
 * and from child processes sharing the output do not mix. */
struct winetest_buffer
{
    char *str;
    size_t len;
    size_t size;
    char stack[1024];
};

static const char winetest_color_red[] = "\033[31m";
static const char winetest_color_green[] = "\033[32m";
static const char winetest_color_yellow[] = "\033[33m";
static const char winetest_color_blue[] = "\033[34m";
static const char winetest_color_magenta[] = "\033[35m";
static const char winetest_color_reset[] = "\033[0m";

static struct winetest_thread_data *winetest_get_thread_data(void)
{
    static struct winetest_thread_data fallback;
    struct winetest_thread_data *data;
    DWORD last_error = GetLastError();

    if (winetest_tls_index == TLS_OUT_OF_INDEXES)
        return &fallback;
    if (!(data = TlsGetValue(winetest_tls_index)))
    {
        /* The process heap, not malloc, so that allocation-failure tests cannot hit it. */
        data = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*data));
        if (!data)
            data = &fallback;
        TlsSetValue(winetest_tls_index, data);
    }
    SetLastError(last_error);
    return data;
}

static void winetest_buffer_init(struct winetest_buffer *buf)
{
    buf->str = buf->stack;
    buf->len = 0;
    buf->size = sizeof(buf->stack);
    buf->str[0] = 0;
}

static int winetest_buffer_reserve(struct winetest_buffer *buf, size_t extra)
{
    size_t size = buf->size;
    char *str;

    if (buf->len + extra < buf->size)
        return 1;
    while (size <= buf->len + extra)
        size *= 2;
    if (buf->str == buf->stack)
    {
        if (!(str = HeapAlloc(GetProcessHeap(), 0, size)))
            return 0;
        memcpy(str, buf->str, buf->len + 1);
    }
    else if (!(str = HeapReAlloc(GetProcessHeap(), 0, buf->str, size)))
        return 0;
    buf->str = str;
    buf->size = size;
    return 1;
}

static void winetest_buffer_vappend(struct winetest_buffer *buf, const char *fmt, va_list args)
{
    va_list copy;
    int len;

    va_copy(copy, args);
    len = _vscprintf(fmt, copy);
    va_end(copy);
    if (len < 0)
    {
        /* The C runtime refused the arguments, e.g. an unconvertible wide string. */
        fmt = "(unprintable message)\n";
        len = (int)strlen(fmt);
        if (!winetest_buffer_reserve(buf, len))
            return;
        memcpy(buf->str + buf->len, fmt, len + 1);
        buf->len += len;
        return;
    }
    if (!winetest_buffer_reserve(buf, len))
        return;
    va_copy(copy, args);
    _vsnprintf(buf->str + buf->len, len + 1, fmt, copy);
    va_end(copy);
    buf->len += len;
    buf->str[buf->len] = 0;
}

static void WINETEST_PRINTF_ATTR(2, 3) winetest_buffer_append(struct winetest_buffer *buf,
                                                              const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    winetest_buffer_vappend(buf, fmt, args);
    va_end(args);
}

static void winetest_buffer_write(struct winetest_buffer *buf, DWORD std_handle)
{
    HANDLE handle = GetStdHandle(std_handle);
    DWORD written;

    /* Anything the test printed itself comes first. */
    fflush(stdout);
    fflush(stderr);
    if (handle && handle != INVALID_HANDLE_VALUE && buf->len)
        WriteFile(handle, buf->str, (DWORD)buf->len, &written, NULL);
    if (buf->str != buf->stack)
        HeapFree(GetProcessHeap(), 0, buf->str);
    winetest_buffer_init(buf);
}

static const char *winetest_elapsed(char *str, size_t size)
{
    DWORD now;

    if (!winetest_time)
        return "";
    now = GetTickCount() - winetest_start_time;
    snprintf(str, size, "%lu.%03lu", (unsigned long)(now / 1000), (unsigned long)(now % 1000));
    return str;
}

static void winetest_append_location(struct winetest_buffer *buf,
                                     const struct winetest_thread_data *data)
{
    char elapsed[32];

    winetest_buffer_append(buf, "%s:%d:%s ", data->current_file ? data->current_file : "unknown",
                           data->current_line, winetest_elapsed(elapsed, sizeof(elapsed)));
}

static void winetest_append_test_prefix(struct winetest_buffer *buf)
{
    char elapsed[32];

    winetest_buffer_append(buf, "%04lx:%s:%s ", (unsigned long)GetCurrentProcessId(),
                           winetest_current_test ? winetest_current_test->name : "",
                           winetest_elapsed(elapsed, sizeof(elapsed)));
}

/* Location, kind of message, then the context stack, then the caller's message. */
static void winetest_print_message(const struct winetest_thread_data *data, const char *kind,
                                   const char *color, const char *msg, va_list args)
{
    struct winetest_buffer buf;
    unsigned int i, count;

    winetest_buffer_init(&buf);
    winetest_append_location(&buf, data);
    if (*kind)
    {
        if (winetest_color && color)
            winetest_buffer_append(&buf, "%s%s%s", color, kind, winetest_color_reset);
        else
            winetest_buffer_append(&buf, "%s", kind);
    }
    count = data->context_count < WINETEST_MAX_CONTEXTS ? data->context_count
                                                        : WINETEST_MAX_CONTEXTS;
    for (i = 0; i < count; i++)
        winetest_buffer_append(&buf, "%s: ", data->context[i]);
    winetest_buffer_vappend(&buf, msg, args);
    winetest_buffer_write(&buf, STD_OUTPUT_HANDLE);
}

/* Returns nonzero when messages from the current line are over the mute threshold. */
static int winetest_line_muted(const struct winetest_thread_data *data)
{
    struct winetest_buffer buf;
    LONG count;

    if (winetest_debug > 1)
        return 0;
    count = InterlockedIncrement(&winetest_line_counters[(unsigned int)data->current_line
                                                         % ARRAY_SIZE(winetest_line_counters)]);
    if (count == winetest_mute_threshold + 1)
    {
        winetest_buffer_init(&buf);
        winetest_append_location(&buf, data);
        winetest_buffer_append(&buf, "Line has been silenced after %d occurrences\n",
                               winetest_mute_threshold);
        winetest_buffer_write(&buf, STD_OUTPUT_HANDLE);
    }
    return count > winetest_mute_threshold;
}

void winetest_set_location(const char *file, int line)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    const char *p;

    for (p = file; *p; p++)
        if (*p == '/' || *p == '\\')
            file = p + 1;
    data->current_file = file;
    data->current_line = line;
}

void winetest_vok(int condition, const char *msg, va_list args)
{
    DWORD last_error = GetLastError();
    int saved_errno = errno;
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->todo_level)
    {
        if (condition)
        {
            if (data->flaky_level)
            {
                winetest_print_message(data, "Test succeeded inside flaky todo block: ",
                                       winetest_color_magenta, msg, args);
                InterlockedIncrement(&winetest_flaky_failures);
            }
            else
            {
                winetest_print_message(data, "Test succeeded inside todo block: ",
                                       winetest_color_red, msg, args);
                InterlockedIncrement(&winetest_todo_failures);
            }
        }
        else
        {
            if (winetest_debug > 0)
            {
                if (!winetest_line_muted(data))
                    winetest_print_message(data, "Test marked todo: ", winetest_color_yellow,
                                           msg, args);
                else
                    InterlockedIncrement(&winetest_muted_todo_successes);
            }
            InterlockedIncrement(&winetest_todo_successes);
        }
    }
    else if (!condition)
    {
        if (data->flaky_level)
        {
            winetest_print_message(data, "Test marked flaky: ", winetest_color_magenta,
                                   msg, args);
            InterlockedIncrement(&winetest_flaky_failures);
        }
        else
        {
            winetest_print_message(data, "Test failed: ", winetest_color_red, msg, args);
            InterlockedIncrement(&winetest_failures);
        }
    }
    else
    {
        if (winetest_report_success)
        {
            struct winetest_buffer buf;

            winetest_buffer_init(&buf);
            winetest_append_location(&buf, data);
            if (winetest_color)
                winetest_buffer_append(&buf, "%sTest succeeded%s\n", winetest_color_green,
                                       winetest_color_reset);
            else
                winetest_buffer_append(&buf, "Test succeeded\n");
            winetest_buffer_write(&buf, STD_OUTPUT_HANDLE);
        }
        InterlockedIncrement(&winetest_successes);
    }
    errno = saved_errno;
    SetLastError(last_error);
}

void winetest_ok(int condition, const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vok(condition, msg, args);
    va_end(args);
}

void winetest_vskip(const char *msg, va_list args)
{
    DWORD last_error = GetLastError();
    int saved_errno = errno;
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (!winetest_line_muted(data))
        winetest_print_message(data, "Tests skipped: ", winetest_color_blue, msg, args);
    else
        InterlockedIncrement(&winetest_muted_skipped);
    InterlockedIncrement(&winetest_skipped);
    errno = saved_errno;
    SetLastError(last_error);
}

void winetest_skip(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vskip(msg, args);
    va_end(args);
}

void winetest_win_skip(const char *msg, ...)
{
    va_list args;

    /* A skip is only acceptable on Windows; on wine the missing feature is a failure. */
    va_start(args, msg);
    if (!strcmp(winetest_platform, "windows"))
        winetest_vskip(msg, args);
    else
        winetest_vok(0, msg, args);
    va_end(args);
}

void winetest_trace(const char *msg, ...)
{
    DWORD last_error = GetLastError();
    int saved_errno = errno;
    struct winetest_thread_data *data;
    va_list args;

    if (winetest_debug <= 0)
        return;
    data = winetest_get_thread_data();
    if (!winetest_line_muted(data))
    {
        va_start(args, msg);
        winetest_print_message(data, "", NULL, msg, args);
        va_end(args);
    }
    else
        InterlockedIncrement(&winetest_muted_traces);
    errno = saved_errno;
    SetLastError(last_error);
}

void winetest_subtest(const char *name)
{
    DWORD last_error = GetLastError();
    struct winetest_thread_data *data = winetest_get_thread_data();
    struct winetest_buffer buf;

    winetest_buffer_init(&buf);
    winetest_append_location(&buf, data);
    winetest_buffer_append(&buf, "Subtest %s\n", name);
    winetest_buffer_write(&buf, STD_OUTPUT_HANDLE);
    SetLastError(last_error);
}

BOOL winetest_ignore_exceptions(BOOL ignore)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    BOOL previous = data->ignore_exceptions;

    /* Only a debugger attached by a test bot would act on this; nothing here does. */
    data->ignore_exceptions = ignore;
    return previous;
}

void winetest_start_todo(int is_todo)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->todo_level = (data->todo_level << 1) | (is_todo != 0);
    data->todo_do_loop = 1;
}

int winetest_loop_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int do_loop = data->todo_do_loop;

    data->todo_do_loop = 0;
    return do_loop;
}

void winetest_end_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->todo_level >>= 1;
}

void winetest_start_flaky(int is_flaky)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->flaky_level = (data->flaky_level << 1) | (is_flaky != 0);
    data->flaky_do_loop = 1;
}

int winetest_loop_flaky(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int do_loop = data->flaky_do_loop;

    data->flaky_do_loop = 0;
    return do_loop;
}

void winetest_end_flaky(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->flaky_level >>= 1;
}

void winetest_push_context(const char *fmt, ...)
{
    DWORD last_error = GetLastError();
    int saved_errno = errno;
    struct winetest_thread_data *data = winetest_get_thread_data();
    va_list args;

    /* Levels past the last slot are counted, so that pops stay balanced, but not shown. */
    if (data->context_count < WINETEST_MAX_CONTEXTS)
    {
        char *str = data->context[data->context_count];

        va_start(args, fmt);
        if (_vsnprintf(str, WINETEST_CONTEXT_SIZE, fmt, args) < 0)
            str[WINETEST_CONTEXT_SIZE - 1] = 0;
        va_end(args);
    }
    data->context_count++;
    errno = saved_errno;
    SetLastError(last_error);
}

void winetest_pop_context(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->context_count)
        data->context_count--;
}

int winetest_get_mainargs(char ***pargv)
{
    *pargv = winetest_argv;
    return winetest_argc;
}

LONG winetest_get_failures(void)
{
    return winetest_failures;
}

void winetest_add_failures(LONG new_failures)
{
    while (new_failures-- > 0)
        InterlockedIncrement(&winetest_failures);
}

void winetest_wait_child_process(HANDLE process)
{
    DWORD last_error = GetLastError();
    struct winetest_buffer buf;
    DWORD exit_code = 1;

    winetest_buffer_init(&buf);
    if (WaitForSingleObject(process, 30000))
    {
        /* Do not leave a hung child holding the output pipe open. */
        winetest_append_test_prefix(&buf);
        winetest_buffer_append(&buf, "child process %04lx timed out after 30 seconds\n",
                               (unsigned long)GetProcessId(process));
        winetest_buffer_write(&buf, STD_OUTPUT_HANDLE);
        TerminateProcess(process, 1);
        InterlockedIncrement(&winetest_failures);
    }
    else if (GetExitCodeProcess(process, &exit_code) && exit_code)
    {
        winetest_append_test_prefix(&buf);
        if (exit_code > 255)
        {
            winetest_buffer_append(&buf, "unhandled exception %08lx in child process %04lx\n",
                                   (unsigned long)exit_code,
                                   (unsigned long)GetProcessId(process));
            InterlockedIncrement(&winetest_failures);
        }
        else
        {
            winetest_buffer_append(&buf, "%lu failures in child process\n",
                                   (unsigned long)exit_code);
            winetest_add_failures((LONG)exit_code);
        }
        winetest_buffer_write(&buf, STD_OUTPUT_HANDLE);
    }
    SetLastError(last_error);
}

static int winetest_env_int(const char *name, int *value)
{
    char str[32];
    DWORD len = GetEnvironmentVariableA(name, str, sizeof(str));

    if (!len || len >= sizeof(str))
        return 0;
    *value = atoi(str);
    return 1;
}

static int winetest_running_under_wine(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");

    return ntdll && GetProcAddress(ntdll, "wine_server_call") != NULL;
}

static void winetest_read_settings(void)
{
    static char platform[64];
    char str[32];
    DWORD len;

    len = GetEnvironmentVariableA("WINETEST_PLATFORM", platform, sizeof(platform));
    if (len && len < sizeof(platform))
        winetest_platform = platform;
    else if (winetest_running_under_wine())
        winetest_platform = "wine";
    else
        winetest_platform = "windows";

    winetest_env_int("WINETEST_DEBUG", &winetest_debug);
    winetest_env_int("WINETEST_INTERACTIVE", &winetest_interactive);
    winetest_env_int("WINETEST_REPORT_SUCCESS", &winetest_report_success);
    winetest_env_int("WINETEST_REPORT_FLAKY", &winetest_report_flaky);
    winetest_env_int("WINETEST_TIME", &winetest_time);

    len = GetEnvironmentVariableA("WINETEST_COLOR", str, sizeof(str));
    if (len && len < sizeof(str))
    {
        /* "auto" colours only a terminal, never a pipe or a log file. */
        if (!strcmp(str, "auto"))
            winetest_color = GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)) == FILE_TYPE_CHAR;
        else
            winetest_color = atoi(str);
    }
}

static void winetest_list_tests(DWORD std_handle)
{
    struct winetest_buffer buf;
    const struct test *test;

    winetest_buffer_init(&buf);
    winetest_buffer_append(&buf, "Valid test names:\n");
    for (test = winetest_testlist; test->name; test++)
        winetest_buffer_append(&buf, "    %s\n", test->name);
    winetest_buffer_write(&buf, std_handle);
}

static void winetest_usage(const char *argv0)
{
    struct winetest_buffer buf;

    winetest_buffer_init(&buf);
    winetest_buffer_append(&buf, "Usage: %s test_name\n\n", argv0);
    winetest_buffer_write(&buf, STD_ERROR_HANDLE);
    winetest_list_tests(STD_ERROR_HANDLE);
}

static int winetest_run_test(const char *name)
{
    struct winetest_buffer buf;
    const struct test *test;
    LONG failures, status;

    for (test = winetest_testlist; test->name; test++)
        if (!strcmp(test->name, name))
            break;
    if (!test->name)
    {
        winetest_buffer_init(&buf);
        winetest_buffer_append(&buf, "Fatal: test '%s' does not exist.\n", name);
        winetest_buffer_write(&buf, STD_ERROR_HANDLE);
        return 1;
    }

    winetest_current_test = test;
    test->func();

    failures = winetest_failures + winetest_todo_failures;
    if (winetest_debug)
    {
        winetest_buffer_init(&buf);
        if (winetest_muted_todo_successes || winetest_muted_skipped || winetest_muted_traces)
        {
            winetest_append_test_prefix(&buf);
            winetest_buffer_append(&buf, "Silenced %ld todos, %ld skips and %ld traces.\n",
                                   (long)winetest_muted_todo_successes,
                                   (long)winetest_muted_skipped, (long)winetest_muted_traces);
        }
        winetest_append_test_prefix(&buf);
        winetest_buffer_append(&buf, "%ld tests executed (%ld marked as todo, %ld as flaky, "
                               "%ld %s), %ld skipped.\n",
                               (long)(winetest_successes + winetest_failures
                                      + winetest_flaky_failures + winetest_todo_successes
                                      + winetest_todo_failures),
                               (long)winetest_todo_successes, (long)winetest_flaky_failures,
                               (long)failures, failures == 1 ? "failure" : "failures",
                               (long)winetest_skipped);
        winetest_buffer_write(&buf, STD_OUTPUT_HANDLE);
    }

    status = failures;
    if (winetest_report_flaky)
        status += winetest_flaky_failures;
    return status > 255 ? 255 : (int)status;
}

int main(int argc, char **argv)
{
    winetest_argc = argc;
    winetest_argv = argv;
    winetest_start_time = GetTickCount();
    winetest_tls_index = TlsAlloc();
    winetest_read_settings();

    if (argc < 2)
    {
        /* An executable with a single test runs it without being told its name. */
        if (winetest_testlist[0].name && !winetest_testlist[1].name)
            return winetest_run_test(winetest_testlist[0].name);
        winetest_usage(argv[0]);
        return 1;
    }
    if (!strcmp(argv[1], "--list"))
    {
        winetest_list_tests(STD_OUTPUT_HANDLE);
        return 0;
    }
    return winetest_run_test(argv[1]);
}

#endif /* STANDALONE */

#endif /* __WINE_WINE_TEST_H */

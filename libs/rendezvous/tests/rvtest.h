/*
 * Minimal test harness for the rendezvous core unit tests
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

#ifndef __WINE_RVTEST_H
#define __WINE_RVTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *rvtest_name;
static int rvtest_count, rvtest_failures;

static inline void rvtest_ok(const char *file, int line, int condition, const char *format, ...)
{
    va_list args;

    rvtest_count++;
    if (condition) return;
    rvtest_failures++;
    printf("%s:%d: Test failed: ", file, line);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fflush(stdout);
}

static inline void rvtest_trace(const char *file, int line, const char *format, ...)
{
    va_list args;

    printf("%s:%d: ", file, line);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fflush(stdout);
}

#define ok(condition, ...) rvtest_ok(__FILE__, __LINE__, (condition) ? 1 : 0, __VA_ARGS__)
#define trace(...) rvtest_trace(__FILE__, __LINE__, __VA_ARGS__)

static inline int rvtest_finish(void)
{
    printf("%s: %d tests executed (0 marked as todo, 0 as flaky, %d failures), 0 skipped.\n",
           rvtest_name, rvtest_count, rvtest_failures);
    fflush(stdout);
    return rvtest_failures ? 1 : 0;
}

#define START_TEST(name) \
    static void func_##name(void); \
    int main(void) \
    { \
        setvbuf(stdout, NULL, _IONBF, 0); \
        rvtest_name = #name; \
        func_##name(); \
        return rvtest_finish(); \
    } \
    static void func_##name(void)

#endif /* __WINE_RVTEST_H */

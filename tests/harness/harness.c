/*
 * Self-test of the wine/test.h harness
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
 * Run without a mode ("harness_test.exe harness") every check here must pass. The modes
 * "fail", "one" and "many" deliberately fail in known ways, and tools/check-harness asserts
 * their exact output and exit codes; it finds the lines to expect through the CHECK markers,
 * so keep each marker on the line of the call it names.  The modes "pool-crash",
 * "orphan-child" and "no-summary" fail in ways the exit code does not show, and
 * check-harness asserts that the runner's verdict (tools/judge-log) sees each.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define COBJMACROS
#include "windef.h"
#include "winbase.h"
#include "ole2.h"

#include "wine/test.h"

struct thread_params
{
    unsigned int index;
    unsigned int count;
    BOOL fail;
};

static BOOL is_wine(void)
{
    return !strcmp(winetest_platform, "wine");
}

static void check_value_(unsigned int line, int value, int expect)
{
    ok_(__FILE__, line)(value == expect, "got %d, expected %d\n", value, expect);
}
#define check_value(a, b) check_value_(__LINE__, a, b)

static void run_child(const char *mode)
{
    PROCESS_INFORMATION info;
    STARTUPINFOA startup;
    char **argv, cmdline[MAX_PATH + 64];
    BOOL ret;

    winetest_get_mainargs(&argv);
    snprintf(cmdline, sizeof(cmdline), "\"%s\" harness %s", argv[0], mode);
    memset(&startup, 0, sizeof(startup));
    startup.cb = sizeof(startup);
    ret = CreateProcessA(NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &info);
    ok(ret, "CreateProcess(%s) failed, error %lu\n", cmdline, GetLastError());
    if (!ret)
        return;
    wait_child_process(info.hProcess);
    CloseHandle(info.hProcess);
    CloseHandle(info.hThread);
}

/* A thread-pool callback that crashes while the main thread's checks pass. */
static void CALLBACK crash_callback(PTP_CALLBACK_INSTANCE instance, void *context)
{
    *(volatile int *)context = 1;
}

static void test_pool_crash(void)
{
    ok(1, "the main thread passes\n");
    ok(TrySubmitThreadpoolCallback(crash_callback, NULL, NULL), "cannot queue the callback\n");
    Sleep(5000);
}

/* A child that fails after its parent has exited 0 without waiting for it. */
static void test_orphan_child(void)
{
    PROCESS_INFORMATION info;
    STARTUPINFOA startup = { sizeof(startup) };
    char **argv, cmdline[MAX_PATH + 64];

    winetest_get_mainargs(&argv);
    snprintf(cmdline, sizeof(cmdline), "\"%s\" harness late-fail", argv[0]);
    ok(CreateProcessA(NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &info),
       "CreateProcess failed, error %lu\n", GetLastError());
    CloseHandle(info.hProcess);
    CloseHandle(info.hThread);
}

static DWORD WINAPI ok_thread(void *arg)
{
    const struct thread_params *params = arg;
    unsigned int i;

    winetest_push_context("thread %u", params->index);
    for (i = 0; i < params->count; i++)
        ok(!params->fail, "ok() from thread %u, call %u\n", params->index, i); /* CHECK: thread */
    winetest_pop_context();
    return 0;
}

/* Threads start suspended, so that the caller can release them inside a todo block. */
static unsigned int create_threads(HANDLE *threads, struct thread_params *params,
                                   unsigned int count, BOOL fail, unsigned int calls)
{
    unsigned int i, created = 0;

    for (i = 0; i < count; i++)
    {
        params[i].index = i;
        params[i].count = calls;
        params[i].fail = fail;
        threads[created] = CreateThread(NULL, 0, ok_thread, &params[i], CREATE_SUSPENDED, NULL);
        ok(threads[created] != NULL, "CreateThread failed, error %lu\n", GetLastError());
        if (threads[created])
            created++;
    }
    return created;
}

static void run_threads(HANDLE *threads, unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++)
        ResumeThread(threads[i]);
    WaitForMultipleObjects(count, threads, TRUE, INFINITE);
    for (i = 0; i < count; i++)
        CloseHandle(threads[i]);
}

static void test_ok(void)
{
    LONG failures = winetest_get_failures();
    DWORD size = 42;
    HRESULT hr = E_FAIL;
    int array[3], count = 0;

    ok(1, "plain success\n");
    ok(TRUE, "formats %lu %#lx %s %ls %p %d %Iu\n", size, hr, "narrow", L"wide", &size, 7,
       sizeof(size));
    ok_(__FILE__, __LINE__)(1, "explicit location\n");
    check_value((int)ARRAY_SIZE(array), 3);
    ok(winetest_mute_threshold == 42, "mute threshold is %d\n", winetest_mute_threshold);

    /* The macros are expressions, so they fit an if without braces. */
    if (count)
        ok(0, "not reached\n");
    else
        ok(1, "else branch\n");

    /* Tests check GetLastError() and errno inside ok() and right after it. */
    SetLastError(0xdeadbeef);
    ok(GetLastError() == 0xdeadbeef, "last error changed to %lu\n", GetLastError());
    ok(GetLastError() == 0xdeadbeef, "ok() changed the last error to %lu\n", GetLastError());
    trace("trace with last error %#lx\n", GetLastError()); /* CHECK: trace-error */
    ok(GetLastError() == 0xdeadbeef, "trace() changed the last error to %lu\n", GetLastError());
    errno = ERANGE;
    ok(errno == ERANGE, "errno changed to %d\n", errno);
    ok(errno == ERANGE, "ok() changed errno to %d\n", errno);

    winetest_add_failures(0);
    ok(winetest_get_failures() == failures, "failures went from %ld to %ld\n",
       failures, winetest_get_failures());
}

static void test_todo(void)
{
    int runs = 0;

    todo_wine
    {
        ok(!is_wine(), "todo_wine failure\n"); /* CHECK: todo-wine */
        runs++;
    }
    ok(runs == 1, "todo_wine body ran %d times\n", runs);

    todo_if(FALSE) ok(1, "todo_if(FALSE) is no todo\n");
    todo_wine_if(FALSE) ok(1, "todo_wine_if(FALSE) is no todo\n");
    todo_wine_if(TRUE) ok(!is_wine(), "todo_wine_if(TRUE) failure\n");

    /* An inner block stays inside the outer todo, and leaving it restores the outer state. */
    runs = 0;
    todo_wine
    {
        todo_if(FALSE)
        {
            ok(!is_wine(), "nested todo failure\n");
            runs++;
        }
        ok(!is_wine(), "outer todo failure\n");
    }
    ok(runs == 1, "nested body ran %d times\n", runs);
    ok(1, "no todo after the blocks\n");
}

static void test_flaky(void)
{
    int runs = 0;

    flaky
    {
        ok(1, "success inside flaky\n");
        runs++;
    }
    ok(runs == 1, "flaky body ran %d times\n", runs);
    flaky_if(FALSE) ok(1, "flaky_if(FALSE)\n");
    flaky_wine ok(1, "flaky_wine\n");
    flaky_wine_if(TRUE) ok(1, "flaky_wine_if(TRUE)\n");
    flaky_wine_if(FALSE) ok(1, "flaky_wine_if(FALSE)\n");
    ok(1, "no flaky after the blocks\n");
}

static void test_broken(void)
{
    int is_windows = !strcmp(winetest_platform, "windows");

    ok(broken(TRUE) == is_windows, "broken(TRUE) is %d on %s\n", broken(TRUE), winetest_platform);
    ok(!broken(FALSE), "broken(FALSE) is true\n");
    ok(is_windows || !broken(1), "broken(1) accepted on %s\n", winetest_platform);
}

static void test_context(void)
{
    char long_context[200];
    int i;

    winetest_push_context("outer");
    winetest_push_context("inner %d", 2);
    trace("traced in two contexts\n"); /* CHECK: trace-two */
    winetest_pop_context();
    trace("traced in one context\n"); /* CHECK: trace-one */
    winetest_pop_context();
    trace("traced without context\n"); /* CHECK: trace-none */

    /* Levels past the eighth are kept for balance but not shown. */
    for (i = 0; i < 10; i++)
        winetest_push_context("level %d", i);
    trace("traced ten levels deep\n"); /* CHECK: trace-deep */
    for (i = 0; i < 10; i++)
        winetest_pop_context();
    winetest_pop_context();
    trace("traced after the pops\n"); /* CHECK: trace-popped */

    memset(long_context, 'x', sizeof(long_context) - 1);
    long_context[sizeof(long_context) - 1] = 0;
    winetest_push_context("%s", long_context);
    trace("traced in a long context\n"); /* CHECK: trace-long */
    winetest_pop_context();

    subtest("harness_subtest"); /* CHECK: subtest */
}

static void test_muting(void)
{
    int i;

    for (i = 0; i < 50; i++)
        trace("repeated trace %d\n", i); /* CHECK: trace-repeated */
}

static void test_threads(void)
{
    struct thread_params params[4];
    HANDLE threads[4];
    unsigned int count;

    count = create_threads(threads, params, ARRAY_SIZE(threads), FALSE, 100);
    winetest_push_context("main");
    todo_if(TRUE)
    {
        /* Neither this thread's todo state nor its context reaches the others. */
        run_threads(threads, count);
        ok(0, "todo failure after the threads\n"); /* CHECK: thread-todo */
    }
    winetest_pop_context();
}

static void test_ignore_exceptions(void)
{
    BOOL previous;

    previous = ignore_exceptions(TRUE);
    ok(!previous, "exceptions were ignored already\n");
    previous = ignore_exceptions(FALSE);
    ok(previous, "ignore_exceptions(TRUE) was lost\n");
}

static void test_child(void)
{
    LONG failures = winetest_get_failures();
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    ok(argc >= 1 && argv[0] != NULL, "got argc %d\n", argc);
    if (argc >= 2)
        ok(!strcmp(argv[1], "harness"), "got test name %s\n", argv[1]);

    run_child("child");
    ok(winetest_get_failures() == failures, "failures went from %ld to %ld\n",
       failures, winetest_get_failures());
}

/* Each line below is asserted by tools/check-harness: change both together. */
static void test_expected_failures(void)
{
    ok(0, "deliberate failure %d\n", 1); /* CHECK: fail-plain */
    winetest_push_context("fail ctx %d", 7);
    ok(0, "deliberate failure in context\n"); /* CHECK: fail-context */
    winetest_pop_context();
    todo_wine ok(1, "deliberate success inside todo\n"); /* CHECK: fail-todo-success */
    todo_wine ok(0, "deliberate todo\n"); /* CHECK: fail-todo */
    win_skip("deliberate win_skip\n"); /* CHECK: fail-win-skip */
    skip("deliberate skip\n"); /* CHECK: fail-skip */
    flaky ok(0, "deliberate flaky failure\n"); /* CHECK: fail-flaky */
    flaky todo_wine ok(1, "deliberate success inside flaky todo\n"); /* CHECK: fail-flaky-todo */
    run_child("fail-child");
    run_child("crash-child");
}

static void test_many_failures(void)
{
    struct thread_params params[4];
    HANDLE threads[4];

    /* 300 failures from four threads at once: counted exactly, exit code capped at 255. */
    run_threads(threads, create_threads(threads, params, ARRAY_SIZE(threads), TRUE, 75));
}

START_TEST(harness)
{
    char **argv;
    int argc, i;

    argc = winetest_get_mainargs(&argv);
    if (argc >= 3)
    {
        if (!strcmp(argv[2], "child"))
        {
            ok(argc == 3, "child got argc %d\n", argc);
            ok(!strcmp(argv[1], "harness"), "child got test name %s\n", argv[1]);
        }
        else if (!strcmp(argv[2], "fail-child"))
        {
            for (i = 0; i < 2; i++)
                ok(0, "child failure %d\n", i); /* CHECK: child-failure */
        }
        else if (!strcmp(argv[2], "crash-child"))
        {
            /* The exit status of a crash, without starting a debugger under wine. */
            ExitProcess(0xc0000005);
        }
        else if (!strcmp(argv[2], "fail"))
            test_expected_failures();
        else if (!strcmp(argv[2], "pool-crash"))
            test_pool_crash();
        else if (!strcmp(argv[2], "orphan-child"))
            test_orphan_child();
        else if (!strcmp(argv[2], "late-fail"))
        {
            Sleep(2000);
            ok(0, "a failure after the parent is gone\n");
        }
        else if (!strcmp(argv[2], "no-summary"))
        {
            ok(1, "passes, then leaves before the summary\n");
            ExitProcess(0);
        }
        else if (!strcmp(argv[2], "one"))
            ok(0, "the only failure\n"); /* CHECK: one */
        else if (!strcmp(argv[2], "many"))
            test_many_failures();
        else
            ok(0, "unknown mode %s\n", argv[2]);
        return;
    }

    test_ok();
    test_todo();
    test_flaky();
    test_broken();
    test_context();
    test_muting();
    test_threads();
    test_ignore_exceptions();
    test_child();
}

/*
 * Unit tests: 1000 idle connected session pairs in one process
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

#include "testutil.h"

#ifdef __linux__
#include <stdio.h>

static int thread_count(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;

    if (!f) return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "Threads:", 8)) n = atoi(line + 8);
    fclose(f);
    return n;
}
#else
static int thread_count(void)
{
    return -1;
}
#endif

#define PAIRS 1000

struct light
{
    struct rv_session *s;
    enum rv_state state;
    uint32_t units;
};

static void light_state(void *user, enum rv_state new_state, enum rv_state prev)
{
    struct light *l = user;

    (void)prev;
    l->state = new_state;
}

static void light_data(void *user, const uint16_t *units, uint32_t count)
{
    struct light *l = user;

    (void)units;
    l->units += count;
}

static const struct rv_session_callbacks light_callbacks = { NULL, light_state, light_data, NULL, NULL, NULL };

static int wait_light(struct light *l, enum rv_state state, uint32_t units, uint32_t timeout_ms)
{
    uint64_t deadline = rv_time_ms() + timeout_ms;

    for (;;)
    {
        uint64_t now;

        rv_session_dispatch(l->s);
        if (l->state == state && l->units >= units) return 1;
        if ((now = rv_time_ms()) >= deadline) return 0;
        rv_session_wait(l->s, (uint32_t)(deadline - now));
    }
}

START_TEST(scale)
{
    struct light *inviters = calloc(PAIRS, sizeof(*inviters)), *invitees = calloc(PAIRS, sizeof(*invitees));
    char invitation[RV_INVITATION_BUFFER_SIZE];
    int i, created = 0, connected = 0, delivered = 0, threads_before, threads_during;
    uint64_t start;
    size_t bytes;

    install_counting_allocator();
    threads_before = thread_count();
    start = rv_time_ms();
    for (i = 0; i < PAIRS; i++)
    {
        if (rv_session_create(&rv_profile_rendezvous, RV_FLAG_INVITER, &light_callbacks, &inviters[i],
                              &inviters[i].s))
            break;
        if (rv_session_create(&rv_profile_rendezvous, RV_FLAG_INVITEE, &light_callbacks, &invitees[i],
                              &invitees[i].s))
        {
            rv_session_destroy(inviters[i].s);
            inviters[i].s = NULL;
            break;
        }
        created++;
        if (rv_session_invite(inviters[i].s, NULL, 0, invitation, sizeof(invitation)) ||
            rv_session_receive_invitation(invitees[i].s, invitation) || rv_session_accept(invitees[i].s))
            break;
        /* Keep the number of concurrent handshakes moderate. */
        if (i % 50 == 49)
        {
            int k;

            for (k = i - 49; k <= i; k++) wait_light(&invitees[k], RV_STATE_CONNECTED, 0, 10000);
        }
    }
    ok(created == PAIRS, "created %d pairs\n", created);
    for (i = 0; i < created; i++)
        if (wait_light(&invitees[i], RV_STATE_CONNECTED, 0, 10000) &&
            wait_light(&inviters[i], RV_STATE_CONNECTED, 0, 10000))
            connected++;
    ok(connected == PAIRS, "connected %d pairs\n", connected);
    trace("%d pairs connected in %lu ms\n", connected, (unsigned long)(rv_time_ms() - start));

    /* Idle cost: everything the core allocated, per session. */
    rv_sleep_ms(100);
    bytes = live_bytes();
    trace("%lu bytes in %ld allocations for %d sessions: %lu bytes per session\n", (unsigned long)bytes,
          live_allocations(), 2 * created, (unsigned long)(bytes / (2 * (created ? created : 1))));
    ok(bytes / (2 * (created ? created : 1)) < 4096, "idle session costs %lu bytes\n",
       (unsigned long)(bytes / (2 * (created ? created : 1))));
    threads_during = thread_count();
    if (threads_before > 0)
        ok(threads_during == threads_before + 1, "threads: %d before, %d with %d sessions\n",
           threads_before, threads_during, 2 * created);

    /* Every pair still works. */
    for (i = 0; i < created; i++)
    {
        uint16_t unit = (uint16_t)i;

        rv_session_send_context_data(inviters[i].s, &unit, 1);
    }
    for (i = 0; i < created; i++) if (wait_light(&invitees[i], RV_STATE_CONNECTED, 1, 10000)) delivered++;
    ok(delivered == PAIRS, "delivered to %d pairs\n", delivered);

    start = rv_time_ms();
    for (i = 0; i < created; i++)
    {
        rv_session_destroy(invitees[i].s);
        rv_session_destroy(inviters[i].s);
    }
    trace("destroyed in %lu ms\n", (unsigned long)(rv_time_ms() - start));
    ok(wait_live_allocations(0, 2000) == 0, "%ld allocations leaked\n", live_allocations());
    if (threads_before > 0) ok(thread_count() == threads_before, "I/O thread not joined\n");
    free(inviters);
    free(invitees);
}

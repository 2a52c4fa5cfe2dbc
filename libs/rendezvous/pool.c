/*
 * Rendezvous core, its lowest layer: the process-wide state and the buffer pools
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

#include "rv_core.h"

/* The process-wide state lives in the lowest layer, which every other one may use. */
struct rv_core core = { .lock = RV_MUTEX_INIT };

/*
 * Small DATA events are carved from slabs of their connection: under Wine a
 * small heap block costs more to allocate and free than the rest of the
 * event's delivery, and a batch of small frames would pay it per frame.
 * A session dispatches its events in order, so a slab goes soon after its
 * last event does; it is freed as soon as it holds none, so an idle
 * connection keeps no slab.  Beyond what the queued events are charged, a
 * connection's slabs hold at most the unused ends of two of them.
 */
#define SLAB_SIZE       8192u
#define SLAB_ALIGN(n)   (((n) + 15u) & ~(size_t)15u)

struct rv_slab
{
    struct rv_conn *owner;      /* carves from it; NULL once it has moved on */
    uint32_t        used;       /* bytes carved, the header included */
    uint32_t        live;       /* events carved and not yet freed */
};

/* The caller sets the event's slab to *ret. */
struct rv_event *slab_event_alloc(struct rv_conn *c, size_t size, struct rv_slab **ret)
{
    struct rv_slab *slab = c->slab;
    struct rv_event *ev;

    size = SLAB_ALIGN(size);
    if (slab && slab->used + size > SLAB_SIZE)
    {
        /* Full: its events free it. */
        slab->owner = NULL;
        c->slab = slab = NULL;
    }
    if (!slab)
    {
        if (!(slab = rv_alloc(SLAB_SIZE))) return NULL;
        slab->owner = c;
        slab->used = SLAB_ALIGN(sizeof(*slab));
        slab->live = 0;
        c->slab = slab;
    }
    ev = (struct rv_event *)((uint8_t *)slab + slab->used);
    slab->used += (uint32_t)size;
    slab->live++;
    *ret = slab;
    return ev;
}

void slab_event_free(struct rv_event *ev)
{
    struct rv_slab *slab = ev->slab;

    if (--slab->live) return;
    if (slab->owner) slab->owner->slab = NULL;
    rv_free(slab);
}

/* The connection ends: its current slab goes with its last event. */
void slab_release(struct rv_conn *c)
{
    struct rv_slab *slab = c->slab;

    if (!slab) return;
    c->slab = NULL;
    slab->owner = NULL;
    if (!slab->live) rv_free(slab);
}

/*
 * Large blocks (big DATA frames and their events) are kept for reuse while
 * sessions exist: under Wine 8, allocating and freeing 128 KiB costs about
 * 50 us, as the heap gives the pages back each time, ten times the copy.  At
 * most LARGE_SPARES blocks of at most LARGE_KEEP_MAX bytes are kept, and none
 * once the last session is gone (so leak checks see every block freed).
 */
#define LARGE_SPARES   4
#define LARGE_KEEP_MAX (RV_FRAME_HEADER_SIZE + 2 * 65536 + 256)

struct large_header
{
    size_t capacity;
    size_t reserved;        /* keeps the block 16-byte aligned */
};

static struct large_header *large_spares[LARGE_SPARES];
static unsigned int large_spare_count;

void *large_alloc(size_t size)
{
    struct large_header *h;
    unsigned int i;

    for (i = 0; i < large_spare_count; i++)
    {
        if (large_spares[i]->capacity < size) continue;
        h = large_spares[i];
        large_spares[i] = large_spares[--large_spare_count];
        return h + 1;
    }
    if (size > SIZE_MAX - sizeof(*h) || !(h = rv_alloc(sizeof(*h) + size))) return NULL;
    h->capacity = size;
    return h + 1;
}

void large_free(void *ptr)
{
    struct large_header *h = (struct large_header *)ptr - 1, *victim = h;
    unsigned int i, smallest = 0;

    if (!ptr) return;
    if (core.n_sessions && h->capacity <= LARGE_KEEP_MAX)
    {
        if (large_spare_count < LARGE_SPARES)
        {
            large_spares[large_spare_count++] = h;
            return;
        }
        /* Full: keep the bigger blocks, which serve more requests. */
        for (i = 1; i < LARGE_SPARES; i++)
            if (large_spares[i]->capacity < large_spares[smallest]->capacity) smallest = i;
        if (large_spares[smallest]->capacity < h->capacity)
        {
            victim = large_spares[smallest];
            large_spares[smallest] = h;
        }
    }
    rv_free(victim);
}

void large_trim(void)
{
    while (large_spare_count) rv_free(large_spares[--large_spare_count]);
}

void out_free(struct rv_out *o)
{
    if (core.exiting) return;
    if (o->large) large_free(o);
    else rv_free(o);
}

/* Queued frames only go on sealed connections: room for the tags. */
struct rv_out *out_new(uint8_t type, uint32_t payload_size, int is_data)
{
    size_t size = sizeof(struct rv_out) + RV_FRAME_HEADER_SIZE + (size_t)rv_sealed_size(payload_size);
    int large = is_data && size >= RV_LARGE_MIN;
    struct rv_out *o;

    if (!(o = large ? large_alloc(size) : rv_alloc(size))) return NULL;
    o->next = NULL;
    o->size = RV_FRAME_HEADER_SIZE + rv_sealed_size(payload_size);
    o->sent = 0;
    o->is_data = is_data ? 1 : 0;
    o->large = large;
    o->sealed = 0;
    rv_frame_write_header(o->bytes, type, payload_size);
    return o;
}

void event_free(struct rv_event *ev)
{
    rv_free(ev->block);
    ev->block = NULL;
    if (!ev->allocated) return;
    if (ev->slab) slab_event_free(ev);
    else if (ev->large) large_free(ev);
    else rv_free(ev);
}

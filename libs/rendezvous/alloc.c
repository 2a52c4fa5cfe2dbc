/*
 * Rendezvous core: allocation hook and memory helpers
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

#include <stdlib.h>

#include <sodium.h>

#include "rv_private.h"

static void *(*alloc_hook)(size_t size);
static void (*free_hook)(void *ptr);

void rv_set_allocator(void *(*alloc_fn)(size_t size), void (*free_fn)(void *ptr))
{
    /* A half-set pair would mix allocators: treat it as a reset. */
    if (!alloc_fn || !free_fn)
    {
        alloc_fn = NULL;
        free_fn = NULL;
    }
    alloc_hook = alloc_fn;
    free_hook = free_fn;
}

void *rv_alloc(size_t size)
{
    if (!size) size = 1;
    if (alloc_hook) return alloc_hook(size);
    return malloc(size);
}

void rv_free(void *ptr)
{
    if (!ptr) return;
    if (free_hook) free_hook(ptr);
    else free(ptr);
}

/* Secrets are wiped and compared by libsodium, never by code of ours. */
void rv_wipe(void *ptr, size_t size)
{
    sodium_memzero(ptr, size);
}

int rv_ct_equal(const void *a, const void *b, size_t size)
{
    return !sodium_memcmp(a, b, size);
}

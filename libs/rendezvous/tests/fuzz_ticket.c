/*
 * libFuzzer harness for the Remote Assistance messages a peer sends
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
#include <string.h>

#include "rv_ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An exact-size copy, so that AddressSanitizer catches any read past the end. */
static char *copy_of(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    return copy;
}

/* Whatever parses must format back to the very same text: one message has
 * exactly one accepted spelling. */
static void fuzz_ticket(const uint8_t *data, size_t size)
{
    char *text = copy_of(data, size), again[RV_TICKET_BUFFER_SIZE];
    struct rv_ticket ticket;

    if (rv_ticket_parse(text, size, NULL, &ticket) == RV_S_OK)
    {
        if (rv_ticket_format(&ticket, again, sizeof(again)) || strlen(again) != size ||
            memcmp(again, text, size))
            abort();
    }
    free(text);
}

static void fuzz_small_messages(const uint8_t *data, size_t size)
{
    char *text = copy_of(data, size), again[RV_TICKET_BUFFER_SIZE];
    uint8_t nonce[RV_TICKET_NONCE_SIZE], id[RV_TICKET_ID_SIZE];
    struct rv_ticket_address address;

    if (rv_ticket_hello_parse(text, size, nonce) == RV_S_OK)
    {
        if (rv_ticket_hello_format(nonce, again, sizeof(again)) || strlen(again) != size ||
            memcmp(again, text, size))
            abort();
    }
    if (rv_ticket_ack_parse(text, size, NULL, id) == RV_S_OK)
    {
        if (rv_ticket_ack_format(id, again, sizeof(again)) || strlen(again) != size ||
            memcmp(again, text, size))
            abort();
    }
    rv_ticket_parse_address(text, size, &address);
    free(text);
}

/* The UTF-16 context data the text comes from. */
static void fuzz_units(const uint8_t *data, size_t size)
{
    uint16_t *units = malloc(size / 2 ? size / 2 * sizeof(*units) : 1);
    char buffer[RV_TICKET_BUFFER_SIZE];
    size_t i;

    for (i = 0; i < size / 2; i++) units[i] = data[2 * i] | (data[2 * i + 1] << 8);
    if (rv_ticket_from_units(units, size / 2, buffer, sizeof(buffer)) == RV_S_OK &&
        strlen(buffer) != size / 2)
        abort();
    free(units);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    switch (data[0] % 3)
    {
    case 0: fuzz_ticket(data + 1, size - 1); break;
    case 1: fuzz_small_messages(data + 1, size - 1); break;
    case 2: fuzz_units(data + 1, size - 1); break;
    }
    return 0;
}

/*
 * libFuzzer harness for Windows Remote Assistance invitations ([MS-RAI])
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

#include "rv_rai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An exact-size copy, so that AddressSanitizer catches any read past the end. */
static uint8_t *copy_of(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    return copy;
}

/* What a parser accepted must be a usable result: addresses within bounds,
 * every string terminated inside its buffer. */
static void check_addresses(const struct rv_rai_address *addresses, uint32_t count)
{
    uint32_t i;

    if (!count || count > RV_RAI_MAX_ADDRESSES) abort();
    for (i = 0; i < count; i++)
        if (!addresses[i].port || !memchr(addresses[i].host, 0, sizeof(addresses[i].host)) ||
            !addresses[i].host[0])
            abort();
}

static void check_string2(const struct rv_rai_string2 *s)
{
    check_addresses(s->addresses, s->count);
    if (!s->kh[0] || !s->id[0] || !memchr(s->kh2, 0, sizeof(s->kh2))) abort();
}

static void fuzz_rai(const uint8_t *data, size_t size, unsigned int which)
{
    uint8_t *copy = copy_of(data, size);
    struct rv_rai_invitation *inv;
    struct rv_rai_string1 s1;
    struct rv_rai_string2 s2;

    switch (which)
    {
    case 0:
        inv = malloc(sizeof(*inv));
        if (rv_rai_parse_file(copy, size, inv) == RV_S_OK)
        {
            check_addresses(inv->rcticket.addresses, inv->rcticket.count);
            if (!inv->username[0] || inv->lhticket_size % 16 || inv->lhticket_size > RV_RAI_MAX_LHTICKET ||
                !memchr(inv->passstub, 0, sizeof(inv->passstub)))
                abort();
        }
        free(inv);
        break;
    case 1:
        if (rv_rai_parse_string1((const char *)copy, size, &s1) == RV_S_OK)
            check_addresses(s1.addresses, s1.count);
        break;
    case 2:
        if (rv_rai_parse_string2((const char *)copy, size, &s2) == RV_S_OK) check_string2(&s2);
        break;
    case 3:
        if (rv_rai_parse_string2_utf16(copy, size, &s2) == RV_S_OK) check_string2(&s2);
        break;
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    fuzz_rai(data + 1, size - 1, data[0] % 4);
    return 0;
}

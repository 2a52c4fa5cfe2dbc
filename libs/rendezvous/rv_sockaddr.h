/*
 * Socket addresses to and from struct rv_addr, the same for both ports
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

#ifndef __WINE_RV_SOCKADDR_H
#define __WINE_RV_SOCKADDR_H

/* Included after the port's socket headers. */

static inline socklen_t to_sockaddr(const struct rv_addr *addr, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (addr->family == 4)
    {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;

        sin->sin_family = AF_INET;
        sin->sin_port = htons(addr->port);
        memcpy(&sin->sin_addr, addr->bytes, 4);
        return sizeof(*sin);
    }
    else
    {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(addr->port);
        memcpy(&sin6->sin6_addr, addr->bytes, 16);
        return sizeof(*sin6);
    }
}

static inline void from_sockaddr(const struct sockaddr_storage *ss, struct rv_addr *addr)
{
    memset(addr, 0, sizeof(*addr));
    if (ss->ss_family == AF_INET)
    {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

        addr->family = 4;
        addr->port = ntohs(sin->sin_port);
        memcpy(addr->bytes, &sin->sin_addr, 4);
    }
    else if (ss->ss_family == AF_INET6)
    {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

        addr->family = 6;
        addr->port = ntohs(sin6->sin6_port);
        memcpy(addr->bytes, &sin6->sin6_addr, 16);
    }
}

#endif /* __WINE_RV_SOCKADDR_H */

/*
 * Rendezvous core: the Remote Assistance handshake messages (ticket, hello, ack)
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
 * Remote Assistance moves three messages over the IM program's context data,
 * after the session is connected:
 *
 *   helper -> sharer   HELLO   <H V="1" NC="nonce"/>
 *   sharer -> helper   TICKET  see below
 *   helper -> sharer   ACK     <K V="1" ID="{session id}"/>
 *
 * The sharer is the side that shares its screen (the novice); the helper is
 * the expert.  The helper's nonce (16 fresh random bytes) binds the ticket to
 * the session: the helper accepts exactly one ticket, and only one that echoes
 * its own nonce.
 *
 * TICKET (modelled on the connection string 2 of [MS-RAI], "<E><A .../><C><T
 * ...><L .../></T></C></E>"), exactly in this form, without any whitespace:
 *
 *   <E><A FP="fp" ID="{id}" NC="nonce"/><C><T ID="1" SID="secret">
 *   <L P="port" N="address"/> ... (1 to RV_TICKET_MAX_ADDRESSES of them)
 *   </T></C></E>
 *
 *   fp       optional (the attribute is absent without one): the SHA-256 of
 *            the certificate the sharer's screen server shows, as its Share
 *            backend reported it; 43 base64url characters (RFC 4648 section 5,
 *            no padding), the last one's two spare bits zero
 *   id       16 random bytes chosen by the sharer, written like a GUID in
 *            upper-case hex: {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}, bytes in
 *            order (not the mixed-endian GUID layout)
 *   nonce    the helper's HELLO nonce, 32 lower-case hex digits
 *   secret   the one-time secret the sharer's backend was given, 64 lower-case
 *            hex digits; it reaches the helper's backend on its standard input
 *   port     decimal 1..65535, no sign, no leading zeros
 *   address  a numeric IPv4 or IPv6 address in canonical form (dotted quad
 *            without leading zeros; RFC 5952 IPv6 text, no brackets, no zone);
 *            never the unspecified address; no (address, port) pair twice
 *
 * The ticket carries no integrity tag of its own: a tag keyed with the secret
 * that travels beside it stops nobody who can change the ticket (the KH
 * attribute of earlier versions was just that).  What protects
 * the ticket is the channel it travels in: this project's sessions seal
 * every context data frame (Noise, see rendezvous.h), and the helper's viewer
 * checks the server's certificate against fp.  Its length: 185 characters,
 * 49 more with fp, and 19 more per address plus the address's text, so a
 * ticket with fp and one address of any kind fits Messenger's 300 units.
 *
 * PARSING
 *
 * Every parser here is strict and trusts nothing: at most RV_TICKET_MAX_LENGTH
 * characters (checked before anything else), printable ASCII only, the exact
 * elements and attributes above in that order, quoted with '"', no entity, no
 * comment, no declaration, no whitespace, and only the canonical spelling of
 * every value, so that one message has exactly one accepted text.  Malformed
 * text gives RV_E_PROTOCOL; a well-formed message that does not belong to the
 * session (wrong nonce, wrong id) gives RV_E_ACCESS_DENIED.  Nothing
 * is allocated.
 */

#ifndef __WINE_RV_TICKET_H
#define __WINE_RV_TICKET_H

#include "rendezvous.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RV_TICKET_MAX_LENGTH     1024
#define RV_TICKET_BUFFER_SIZE    (RV_TICKET_MAX_LENGTH + 1)
#define RV_TICKET_MAX_ADDRESSES  4
#define RV_TICKET_ID_SIZE        16
#define RV_TICKET_NONCE_SIZE     16
#define RV_TICKET_SECRET_SIZE    32
#define RV_TICKET_FINGERPRINT_SIZE 32
#define RV_TICKET_FINGERPRINT_TEXT_LENGTH 43
/* Without fp, before the addresses and without them. */
#define RV_TICKET_BASE_LENGTH    185
#define RV_TICKET_FP_LENGTH      49
/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" */
#define RV_TICKET_ID_TEXT_LENGTH 38
/* Longest numeric address text, with its terminating NUL. */
#define RV_TICKET_ADDRESS_BUFFER_SIZE 46

struct rv_ticket_address
{
    uint8_t  family;        /* 4 or 6 */
    uint8_t  addr[16];      /* network order; IPv4 in the first 4 bytes, the rest zero */
    uint16_t port;          /* 1..65535 */
};

struct rv_ticket
{
    uint8_t  id[RV_TICKET_ID_SIZE];
    uint8_t  nonce[RV_TICKET_NONCE_SIZE];
    uint8_t  secret[RV_TICKET_SECRET_SIZE];
    uint8_t  has_fingerprint;   /* 0 or 1 */
    uint8_t  fingerprint[RV_TICKET_FINGERPRINT_SIZE];
    uint32_t count;         /* 1..RV_TICKET_MAX_ADDRESSES */
    struct rv_ticket_address addresses[RV_TICKET_MAX_ADDRESSES];
};

/*
 * Writes the ticket and its NUL into buffer (RV_TICKET_BUFFER_SIZE always
 * suffices).  RV_E_INVALIDARG for a ticket the parser would refuse (no or too
 * many addresses, a bad family or port, a duplicate) or a buffer too small.
 */
rv_result rv_ticket_format(const struct rv_ticket *ticket, char *buffer, size_t size);

/*
 * Parses length bytes of text (no terminator needed).  With expected_nonce
 * (RV_TICKET_NONCE_SIZE bytes), a ticket for another nonce is RV_E_ACCESS_DENIED;
 * NULL skips that check (for fuzzers).  out is filled only on RV_S_OK.
 */
rv_result rv_ticket_parse(const char *text, size_t length, const uint8_t *expected_nonce,
                          struct rv_ticket *out);

/* HELLO: writes <H V="1" NC="..."/> and its NUL; RV_E_INVALIDARG if size is too small. */
rv_result rv_ticket_hello_format(const uint8_t nonce[RV_TICKET_NONCE_SIZE], char *buffer, size_t size);
rv_result rv_ticket_hello_parse(const char *text, size_t length, uint8_t nonce[RV_TICKET_NONCE_SIZE]);

/* ACK: writes <K V="1" ID="{...}"/> and its NUL. */
rv_result rv_ticket_ack_format(const uint8_t id[RV_TICKET_ID_SIZE], char *buffer, size_t size);
/* With expected_id, an ack for another ticket is RV_E_ACCESS_DENIED; id may be NULL. */
rv_result rv_ticket_ack_parse(const char *text, size_t length, const uint8_t *expected_id,
                              uint8_t *id);

/*
 * Context data arrives as UTF-16.  Copies count units into buffer as ASCII and
 * NUL-terminates it: RV_E_PROTOCOL when count is 0 or over RV_TICKET_MAX_LENGTH
 * (checked before any unit is read) or when a unit is not printable ASCII
 * (0x20..0x7e); RV_E_INVALIDARG when the buffer cannot hold count + 1 bytes.
 */
rv_result rv_ticket_from_units(const uint16_t *units, size_t count, char *buffer, size_t size);

/*
 * A numeric IPv4 or IPv6 address in any form rv_parse_ipv4 / rv_parse_ipv6
 * accept (no brackets, no zone); the unspecified address is refused.  For
 * addresses a backend reports; the ticket parser also requires the canonical
 * spelling.  RV_E_PROTOCOL when invalid.
 */
rv_result rv_ticket_parse_address(const char *text, size_t length, struct rv_ticket_address *out);
/* Canonical text of out's address; buffer holds RV_TICKET_ADDRESS_BUFFER_SIZE bytes. */
size_t rv_ticket_format_address(const struct rv_ticket_address *address, char *buffer);

/* Writes the id as {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} plus a NUL (39 bytes). */
void rv_ticket_format_id(const uint8_t id[RV_TICKET_ID_SIZE], char *buffer);

/* Forgets the secret and everything else in a ticket. */
void rv_ticket_wipe(struct rv_ticket *ticket);

#ifdef __cplusplus
}
#endif

#endif /* __WINE_RV_TICKET_H */

/*
 * Rendezvous core: Windows Remote Assistance invitations ([MS-RAI])
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
 * What Windows' own Remote Assistance (msra.exe) hands a helper, as [MS-RAI]
 * describes it:
 *
 * CONNECTION STRING 1 ([MS-RAI] 2.2.1), the RCTICKET attribute of a file:
 *
 *   65538,1,ADDR:PORT;ADDR:PORT,*,RASessionID,*,*,protocolSpecificParms
 *
 *   exactly eight comma-separated fields; the literal ones exactly as shown;
 *   1 to RV_RAI_MAX_ADDRESSES "host:port" pairs, the host an IPv4 address or
 *   a computer name; the session id and the parameters (the "KH") base64.
 *
 * CONNECTION STRING 2 ([MS-RAI] 2.2.2), what LHTICKET decrypts to:
 *
 *   <E><A KH="b64" [KH2="b64"] ID="b64" [CE="..."]/><C><T ID="n" SID="n">
 *   <L P="port" N="host"/>...</T>...</C></E>
 *
 *   XML whitespace between elements and attributes, attributes of A in any
 *   order, each at most once; one or more T, each with one or more L, at
 *   most RV_RAI_MAX_ADDRESSES L in all, kept in the ticket's order.  N is an
 *   IPv4 address, an IPv6 address with an optional "%zone", or a host name.
 *
 * INVITATION FILE ([MS-RAI] 6, ".MsRcIncident"):
 *
 *   [<?xml ...?>]<UPLOADINFO TYPE="Escalated"><UPLOADDATA attributes/></UPLOADINFO>
 *
 *   UTF-16LE with its byte order mark (as Windows writes it) or UTF-8 (with
 *   or without one).  The attributes of UPLOADDATA, in any order, each at
 *   most once, no other: USERNAME (required), RCTICKET (required),
 *   RCTICKETENCRYPTED ("0" or "1"), PassStub, DtStart and DtLength (both or
 *   neither; DtStart at most 2^62, DtLength at most 2^32 - 1), L ("0" or "1"), LHTICKET (hex of the AES ciphertext, a
 *   positive multiple of 16 bytes).
 *
 * PARSING
 *
 * Like the other parsers of the core: the size is checked before anything
 * else (RV_RAI_MAX_FILE_SIZE, RV_RAI_MAX_STRING_LENGTH), every read is
 * bounded, no entity except the five XML predefined ones in USERNAME, no
 * comment, no DOCTYPE, no CDATA, nothing is allocated, and malformed text is
 * RV_E_PROTOCOL.  out is filled only on RV_S_OK.
 */

#ifndef __WINE_RV_RAI_H
#define __WINE_RV_RAI_H

#include "rendezvous.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RV_RAI_MAX_FILE_SIZE        65536
#define RV_RAI_MAX_STRING_LENGTH    8192
#define RV_RAI_MAX_ADDRESSES        16
/* A host name (253) or an IPv6 address with a zone, plus the NUL. */
#define RV_RAI_HOST_BUFFER_SIZE     256
/* Base64 values: KH, KH2, the session ids. */
#define RV_RAI_TOKEN_BUFFER_SIZE    257
#define RV_RAI_NAME_BUFFER_SIZE     257
#define RV_RAI_PASSSTUB_BUFFER_SIZE 65
#define RV_RAI_MAX_LHTICKET         4096

struct rv_rai_address
{
    char     host[RV_RAI_HOST_BUFFER_SIZE];
    uint16_t port;          /* 1..65535 */
};

struct rv_rai_string1
{
    uint32_t count;         /* 1..RV_RAI_MAX_ADDRESSES */
    struct rv_rai_address addresses[RV_RAI_MAX_ADDRESSES];
    char     session_id[RV_RAI_TOKEN_BUFFER_SIZE];
    char     params[RV_RAI_TOKEN_BUFFER_SIZE];      /* protocolSpecificParms, the KH */
};

struct rv_rai_string2
{
    char     kh[RV_RAI_TOKEN_BUFFER_SIZE];
    char     kh2[RV_RAI_TOKEN_BUFFER_SIZE];         /* "" when absent */
    char     id[RV_RAI_TOKEN_BUFFER_SIZE];
    uint32_t count;         /* 1..RV_RAI_MAX_ADDRESSES */
    struct rv_rai_address addresses[RV_RAI_MAX_ADDRESSES];
};

struct rv_rai_invitation
{
    char     username[RV_RAI_NAME_BUFFER_SIZE];     /* UTF-8, entities decoded */
    struct rv_rai_string1 rcticket;
    uint8_t  rcticket_encrypted;
    char     passstub[RV_RAI_PASSSTUB_BUFFER_SIZE]; /* "" when absent */
    uint8_t  has_expiry;    /* DtStart and DtLength given */
    int64_t  dt_start;      /* seconds since 1970 */
    uint32_t dt_length;     /* minutes */
    uint8_t  low_speed;     /* L */
    size_t   lhticket_size; /* 0 when absent */
    uint8_t  lhticket[RV_RAI_MAX_LHTICKET];
};

rv_result rv_rai_parse_string1(const char *text, size_t length, struct rv_rai_string1 *out);
rv_result rv_rai_parse_string2(const char *text, size_t length, struct rv_rai_string2 *out);

/*
 * What LHTICKET decrypts to: connection string 2 as UTF-16LE, optionally
 * followed by CR LF and by NUL units (nothing else); size in bytes.
 */
rv_result rv_rai_parse_string2_utf16(const uint8_t *bytes, size_t size, struct rv_rai_string2 *out);

/* A whole invitation file, as read from disk. */
rv_result rv_rai_parse_file(const uint8_t *bytes, size_t size, struct rv_rai_invitation *out);

#ifdef __cplusplus
}
#endif

#endif /* __WINE_RV_RAI_H */

/*
 * What rendezvoussession.dll and msgsc.dll share: librvcombase.a
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

#ifndef __RVCOMBASE_H
#define __RVCOMBASE_H

/* Each module links its own copy of the library, and so has its own object
 * count, class factories, type information and registration. */
#include "module.h"
#include "object.h"
#include "events.h"
#include "face.h"
#include "register.h"
#include "sink.h"
#include "wake.h"

#endif /* __RVCOMBASE_H */

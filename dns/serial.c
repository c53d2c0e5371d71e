/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the rodns authors */
/* RFC 1982 serial number arithmetic: see serial.h. */
#include "dns/serial.h"

int dns_serial_cmp(uint32_t a, uint32_t b)
{
	/* Unsigned subtraction is the distance from a forward to b, modulo 2^32. */
	uint32_t d = b - a;

	if (d == 0)
		return 0;
	if (d == 0x80000000u)
		return 2;
	return d < 0x80000000u ? -1 : 1;
}

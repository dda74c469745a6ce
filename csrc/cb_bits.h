/* Integers of 1, 2, 4 or 8 bytes at any address (struct fields, array
 * elements), read and written through memcpy: no alignment assumed. */
#ifndef CB_BITS_H
#define CB_BITS_H

#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Range of an integer of `size` bytes: the lowest signed value, the
 * highest unsigned one (the highest signed one is that >> 1). */
static inline long long
cb_min_signed(size_t size)
{
    return size >= 8 ? LLONG_MIN : -(1LL << (size * 8 - 1));
}

static inline unsigned long long
cb_max_unsigned(size_t size)
{
    return size >= 8 ? ULLONG_MAX : (1ULL << (size * 8)) - 1;
}

static inline long long
cb_load_signed(const void *p, size_t size)
{
    switch (size) {
    case 1: { int8_t v; memcpy(&v, p, 1); return v; }
    case 2: { int16_t v; memcpy(&v, p, 2); return v; }
    case 4: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline unsigned long long
cb_load_unsigned(const void *p, size_t size)
{
    switch (size) {
    case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

/* The low `size` bytes of v (two's complement for negative values). */
static inline void
cb_store_bits(void *p, size_t size, unsigned long long v)
{
    switch (size) {
    case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: { uint64_t x = v; memcpy(p, &x, 8); break; }
    }
}

#endif

/* radix.h -- an LSD radix sort on the varying bits of a 64-bit key, defined for a record type. */
#ifndef TTST_RT_RADIX_H
#define TTST_RT_RADIX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Defines `static type *name(type *a, type *b, size_t n, uint64_t vary)`:
 * sorts the n records of a by their keys (key(record), a uint64_t) looking
 * at the bits set in vary only (those that differ between the records; the
 * others are taken as equal), in as few passes of at most `bits`-bit digits
 * as cover them, with b (n records) as scratch; returns a or b, whichever
 * holds the result.  Stable.  The digit counters (4 << bits bytes) are on
 * the stack. */
#define TTST_RADIX_SORT_DEF(name, type, key, bits)                                                 \
	static type *name(type *a, type *b, size_t n, uint64_t vary)                               \
	{                                                                                          \
		uint32_t count[1u << (bits)];                                                      \
		if (!vary)                                                                         \
			return a;                                                                  \
		unsigned lo = (unsigned)__builtin_ctzll(vary);                                     \
		unsigned span = 64 - (unsigned)__builtin_clzll(vary) - lo;                         \
		unsigned passes = (span + (bits)-1) / (bits);                                      \
		unsigned width = (span + passes - 1) / passes;                                     \
		uint64_t mask = ((uint64_t)1 << width) - 1;                                        \
		for (unsigned p = 0; p < passes; p++) {                                            \
			unsigned shift = lo + p * width;                                           \
			memset(count, 0, (size_t)(mask + 1) * sizeof *count);                      \
			for (size_t i = 0; i < n; i++)                                             \
				count[(key(a[i]) >> shift) & mask]++;                              \
			uint32_t sum = 0;                                                          \
			for (uint64_t d = 0; d <= mask; d++) {                                     \
				uint32_t c = count[d];                                             \
				count[d] = sum;                                                    \
				sum += c;                                                          \
			}                                                                          \
			for (size_t i = 0; i < n; i++)                                             \
				b[count[(key(a[i]) >> shift) & mask]++] = a[i];                    \
			type *t = a;                                                               \
			a = b;                                                                     \
			b = t;                                                                     \
		}                                                                                  \
		return a;                                                                          \
	}

#endif /* TTST_RT_RADIX_H */

/* common.h -- twostatic corpus case: a struct shared by both TUs (must be
 * merged into one type) and the cross-TU functions. */
#ifndef COMMON_H
#define COMMON_H

struct shared {
	int x;  /* 0 */
	char y; /* 4 */
};              /* size 8 */

extern int g_total;
extern struct shared g_shared;
int a_bump(void);
long b_bump(void);
int a_list_len(void);
long b_weight(void);

#endif

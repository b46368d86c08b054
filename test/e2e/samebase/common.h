/* common.h -- e2e samebase case: the functions of net/util.c and disk/util.c. */
void net_add(long n);
long net_count(void);
const char *net_name(void);
void disk_add(long n);
long disk_count(void);
const char *disk_name(void);

/* selftest.c -- input for ttst-dwarfcheck's own test: layouts and variables
 * whose canonical lines are known (selftest.expected), compiled by clang-16
 * (DWARF 5), gcc -gdwarf-4 and gcc -gdwarf-2 (old-style bitfields). */
struct flags {
	unsigned a : 1;
	unsigned : 2;
	unsigned b : 3;
	unsigned c : 6;
	unsigned d : 12;
	unsigned e : 8;
	unsigned f : 5;
	int g;
	unsigned char h : 3;
	unsigned char i : 7;
	unsigned : 0;
	unsigned long long j : 40;
	signed char k : 4;
	short l : 9;
};

struct hdr {
	unsigned ver : 4;
	unsigned ihl : 4;
	unsigned char tos;
	unsigned short len;
	_Bool on : 1;
	int neg : 5;
};

union u {
	int i;
	double d;
	char c[12];
};

struct with_anon {
	int a;
	union {
		int x;
		float y;
	};
	struct {
		char s[3];
	} named;
};

struct flex {
	unsigned n;
	short d[];
};

typedef const struct flags cflags_t;

cflags_t g_cflags;
struct hdr g_hdrs[3][2];
union u g_u;
struct with_anon g_wa;
static struct flex *s_flex;

int counter(void)
{
	static long calls;
	return (int)++calls;
}

int main(void)
{
	int local = counter();
	struct flex f = {0};
	(void)f;
	return local + g_u.i + g_wa.a + (s_flex != 0) + g_hdrs[2][1].len - 1 + (int)g_cflags.a;
}

/* val-literals/v1/b.c -- the second file's pointer to an equal literal. */
const char *g_b_name = "shared literal";

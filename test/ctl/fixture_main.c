/* fixture_main.c -- the fixture program: its ttst_meta section comes from fixture_tool, not the
 * pass. */
int main(void)
{
	return 0;
}

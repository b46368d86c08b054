/* main.c -- samebase corpus case: uses both util.c files. */
int net_use(void);
long disk_use(void);

int main(void)
{
	return !(net_use() == 1 && disk_use() == 100 && net_use() == 2);
}

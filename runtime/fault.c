/* fault.c -- __ttst_fault_active(): when faults injected by the pass (TTST_FAULT) fire. */
#include "ttst/interface.h"

#include "alloc.h"
#include "update.h"

/* 1 during a live update of this (new) version: re-initialisation and transfer; else 0. */
TTST_EXPORT int __ttst_fault_active(void)
{
	return ttst_is_updating();
}

/* A counting allocator for the out-of-memory tests (test_oom, test_oom_api):
 * fails the Nth allocation and tracks live blocks, so a test can check that
 * every failure is clean. Allocations inside regions the library marks
 * fragile (libxml2 2.9's schema validator crashes on allocation failure)
 * are neither counted nor failed. */
#ifndef DVC_FAILALLOC_H
#define DVC_FAILALLOC_H

#include "dvc/common.h"

typedef struct counter {
	long fail_at;  /* 1-based ordinal to fail; 0 = never; -1 = count only */
	long count;    /* allocations attempted since arming */
	long live;     /* blocks currently allocated */
} counter;

extern counter cnt;
extern const dvc_allocator counting; /* install with dvc_allocator_set(&counting, 1) */

#endif

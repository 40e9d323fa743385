#ifndef CLZ4BENCH_SHIM_H
#define CLZ4BENCH_SHIM_H
#include <lz4.h>
#endif

#pragma once
// Linux system calls that glibc does not wrap, for the engine (ProcWardenKit),
// which must not depend on CShims and its sd-bus. syscall(2) is variadic, so
// Swift cannot call it.
#include <stdint.h>
#include <linux/openat2.h>

/// O_PATH (open(2)): <fcntl.h> defines it only under _GNU_SOURCE, which
/// Swift's Glibc module is not built with.
static const int PW_O_PATH = 010000000;

/// openat2(2) with `flags` (O_*), mode 0 and `resolve` (RESOLVE_*).
/// Returns the fd or -1 with errno set (ENOSYS before Linux 5.6).
int pw_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve);

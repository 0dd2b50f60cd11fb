#define _GNU_SOURCE
#include "CLinux.h"
#include <sys/syscall.h>
#include <unistd.h>

int pw_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve) {
    struct open_how how = {.flags = flags, .mode = 0, .resolve = resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// Test helper: copies SOURCE into an anonymous memfd called NAME and
// fexecve()s it, the way fileless malware starts. Never used by the daemon.
// usage: pw-memfd-exec NAME SOURCE ARGV0 [ARGS...]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: pw-memfd-exec NAME SOURCE ARGV0 [ARGS...]\n");
        return 2;
    }
    int src = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (src < 0) { perror("open"); return 1; }
    struct stat st;
    if (fstat(src, &st) < 0) { perror("fstat"); return 1; }
    int mfd = memfd_create(argv[1], 0);
    if (mfd < 0) { perror("memfd_create"); return 1; }
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
        if (n <= 0) { perror("sendfile"); return 1; }
    }
    close(src);
    fexecve(mfd, &argv[3], environ);
    perror("fexecve");
    return 1;
}

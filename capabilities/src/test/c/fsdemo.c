// A WASI command built from source with Debian's clang + wasi-libc. It touches everything the
// capabilities grant: args, env, both clocks, random, and a directory preopened at /data
// (list, read, write), then tries to leave /data. Every failure is printed with strerror, so a
// test can see exactly what the grants allowed.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("list %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("list %s:", path);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void cat(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("read %s: %s\n", path, strerror(errno));
        return;
    }
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    printf("read %s: %s\n", path, buf);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) {
        printf("write %s: %s\n", path, strerror(errno));
        return;
    }
    int ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    printf("write %s: %s\n", path, ok ? "ok" : strerror(errno));
}

static void clock_line(const char *name, clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) {
        printf("%s: %s\n", name, strerror(errno));
    } else {
        printf("%s: %lld.%09ld\n", name, (long long)ts.tv_sec, ts.tv_nsec);
    }
}

int main(int argc, char **argv) {
    printf("argv:");
    for (int i = 0; i < argc; i++) {
        printf(" [%s]", argv[i]);
    }
    printf("\n");
    const char *g = getenv("GREETING");
    printf("env GREETING: %s\n", g ? g : "(unset)");
    printf("env HOME: %s\n", getenv("HOME") ? getenv("HOME") : "(unset)");
    clock_line("realtime", CLOCK_REALTIME);
    clock_line("monotonic", CLOCK_MONOTONIC);
    unsigned char r[8];
    if (getentropy(r, sizeof r) != 0) {
        printf("random: %s\n", strerror(errno));
    } else {
        printf("random: %02x%02x%02x%02x%02x%02x%02x%02x\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
    }
    list("/data");
    if (getenv("LIST")) {
        list(getenv("LIST"));
    }
    cat("/data/input.txt");
    write_file("/data/output.txt", "written by plugin\n");
    cat("/data/../outside.txt");
    cat("/data/escape/outside.txt");
    write_file("/data/../planted.txt", "escaped\n");
    fprintf(stderr, "done\n");
    if (argc > 1 && strcmp(argv[1], "fail") == 0) {
        return 7;
    }
    return 0;
}

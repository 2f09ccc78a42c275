/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-util.c: the test runner. */
#include "test-util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int test_failures_in_current;

int test_main(int argc, char **argv, const TestCase *cases, size_t n)
{
    int failed = 0, ran = 0;
    for (size_t i = 0; i < n; i++) {
        bool selected = argc < 2;
        for (int a = 1; a < argc; a++) {
            selected |= strcmp(argv[a], cases[i].name) == 0;
        }
        if (!selected) {
            continue;
        }
        test_failures_in_current = 0;
        cases[i].func();
        ran++;
        printf("%s %s\n", test_failures_in_current ? "FAIL" : "ok  ", cases[i].name);
        fflush(stdout);
        failed += test_failures_in_current != 0;
    }
    printf("%d of %d cases failed\n", failed, ran);
    return failed ? 1 : 0;
}

void test_dump_diff(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    size_t n = got_len > want_len ? got_len : want_len;
    fprintf(stderr, "  got %zu bytes, want %zu\n", got_len, want_len);
    for (size_t i = 0; i < n; i++) {
        int g = i < got_len ? got[i] : -1, w = i < want_len ? want[i] : -1;
        if (g != w) {
            fprintf(stderr, "  byte %zu: got %02x want %02x\n", i, g & 0xff, w & 0xff);
        }
    }
}

char *test_mapped_library(const char *prefix)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    char *found = NULL;
    while (f && !found && fgets(line, sizeof(line), f)) {
        char *path = strchr(line, '/');
        if (path == NULL) {
            continue;
        }
        path[strcspn(path, "\n")] = '\0';
        const char *base = strrchr(path, '/') + 1;
        if (strncmp(base, prefix, strlen(prefix)) == 0) {
            found = strdup(path);
        }
    }
    if (f) {
        fclose(f);
    }
    return found;
}

int test_check_spice_server(bool want_ours)
{
    char *lib = test_mapped_library("libspice-server.so");
    /* Ours lives in the build tree (server/.libs); Debian's under /usr. */
    bool ours = lib && strstr(lib, "/server/.libs/") != NULL;
    printf("libspice-server mapped: %s (%s)\n", lib ? lib : "none", ours ? "ours" : "Debian's");
    int ret = (lib != NULL && ours == want_ours) ? 0 : 1;
    if (ret) {
        fprintf(stderr, "expected %s libspice-server\n", want_ours ? "our" : "Debian's");
    }
    free(lib);
    return ret;
}

int test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
        port = ntohs(sa.sin_port);
    }
    close(fd);
    return port;
}

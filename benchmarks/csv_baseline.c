/* The parser's limit: libcsv with empty callbacks over the given files, 1 MiB reads. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long fields, rows;
static void cb1(void *s, size_t len, void *data) { (void)s; (void)len; (void)data; fields++; }
static void cb2(int c, void *data) { (void)c; (void)data; rows++; }

int main(int argc, char **argv) {
    struct csv_parser p;
    char *buf = malloc(1 << 20);
    unsigned long long bytes = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { perror(argv[i]); return 2; }
        csv_init(&p, CSV_STRICT | CSV_REPALL_NL);
        size_t n;
        while ((n = fread(buf, 1, 1 << 20, f)) > 0) {
            bytes += n;
            if (csv_parse(&p, buf, n, cb1, cb2, NULL) != n) { fprintf(stderr, "%s: %s\n", argv[i], csv_strerror(csv_error(&p))); break; }
        }
        csv_fini(&p, cb1, cb2, NULL);
        csv_free(&p);
        fclose(f);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"bytes\": %llu, \"rows\": %lu, \"fields\": %lu, \"seconds\": %.4f, \"mb_per_s\": %.1f}\n",
           bytes, rows, fields, s, bytes / 1e6 / s);
    return 0;
}

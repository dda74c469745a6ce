/* The hand-written half of the fake libnvidia-ml.so.1: the call log, the
 * forced return code, fake handles and deterministic values.  make_fake.py
 * generates the other half (one function per nvml.h declaration) and
 * includes this file first.  See make_fake.py for the behaviour. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;
static char *fk_buf;
static size_t fk_len, fk_cap;
static size_t fk_line_start;        /* where the call being logged begins in fk_buf */
static int fk_forced_return = -1;   /* fakenvml_set_return(); -1: $FAKE_NVML_RETURN or none */
static int fk_forced_count = -1;    /* fakenvml_set_count(); -1: $FAKE_NVML_COUNT or 3 */

static void fk_append(const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof tmp)
        n = sizeof tmp - 1;
    if (fk_len + n + 1 > fk_cap) {
        size_t cap = fk_cap ? fk_cap * 2 : 4096;
        while (cap < fk_len + n + 1)
            cap *= 2;
        char *b = realloc(fk_buf, cap);
        if (!b)
            return;
        fk_buf = b;
        fk_cap = cap;
    }
    memcpy(fk_buf + fk_len, tmp, n);
    fk_len += n;
    fk_buf[fk_len] = 0;
}

/* The log: one line per call, `name(arg=value, ...) -> code`. */
const char *fakenvml_log(void)
{
    return fk_buf ? fk_buf : "";
}

void fakenvml_log_clear(void)
{
    pthread_mutex_lock(&fk_lock);
    fk_len = 0;
    if (fk_buf)
        fk_buf[0] = 0;
    pthread_mutex_unlock(&fk_lock);
}

/* Every function returns `code` (>= 0) from now on; -1 goes back to
 * $FAKE_NVML_RETURN, or to behaving. */
void fakenvml_set_return(int code)
{
    fk_forced_return = code;
}

/* How many items an array output has (-1: $FAKE_NVML_COUNT, or 3). */
void fakenvml_set_count(int n)
{
    fk_forced_count = n;
}

static int fk_forced(void)
{
    if (fk_forced_return >= 0)
        return fk_forced_return;
    const char *e = getenv("FAKE_NVML_RETURN");
    return e && *e ? atoi(e) : -1;
}

static unsigned int fk_count(void)
{
    if (fk_forced_count >= 0)
        return (unsigned int)fk_forced_count;
    const char *e = getenv("FAKE_NVML_COUNT");
    return e && *e ? (unsigned int)atoi(e) : 3u;
}

/* ---- handles: 0xfa4e00000000 | kind << 20 | index << 4 ---- */
#define FK_HANDLE_BASE 0xfa4e00000000ULL
/* FK_KIND_NAMES: the handle types' names by kind number, from the generator */
static const char *const fk_handle_kinds[] = {FK_KIND_NAMES};
#define FK_NKINDS ((int)(sizeof fk_handle_kinds / sizeof fk_handle_kinds[0]))

static void *fk_handle(int kind, unsigned int index)
{
    return (void *)(uintptr_t)(FK_HANDLE_BASE | ((unsigned long long)kind << 20) | ((unsigned long long)index << 4));
}

static void fk_log_handle(const char *name, const void *h)
{
    unsigned long long v = (unsigned long long)(uintptr_t)h;
    unsigned long long kind = (v >> 20) & 0xfff, index = (v >> 4) & 0xffff;
    if (!h)
        fk_append("%s=NULL", name);
    else if ((v & ~0xffffffffULL) == FK_HANDLE_BASE && (v & 0xf) == 0 && kind > 0 && kind < FK_NKINDS)
        fk_append("%s=%s#%llu", name, fk_handle_kinds[kind], index);
    else
        fk_append("%s=unknown-handle-0x%llx", name, v);
}

/* ---- deterministic values ---- */
static uint64_t fk_mix(uint64_t seed, uint64_t salt)
{
    uint64_t x = seed ^ (salt * 0x9e3779b97f4a7c15ULL);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    return x;
}

/* A value for an integer of `bits` bits: small enough to read, never 0. */
static unsigned long long fk_uint(uint64_t seed, int bits)
{
    if (bits <= 8)
        return 1 + seed % 200;
    if (bits <= 16)
        return 1 + seed % 30000;
    return 1 + seed % 1000000;
}

static double fk_float(uint64_t seed)
{
    return (double)(seed % 10000) / 4.0;   /* exact in a float */
}

static void fk_string(char *dst, size_t cap, const char *stem, uint64_t seed)
{
    if (!dst || cap == 0)
        return;
    snprintf(dst, cap, "%s-%04x", stem, (unsigned)(seed & 0xffff));
}

static void fk_begin(const char *name)
{
    pthread_mutex_lock(&fk_lock);
    fk_line_start = fk_len;
    fk_append("%s(", name);
}

static int fk_end(int rc)
{
    fk_append(") -> %d\n", rc);
    /* $FAKE_NVML_TRACE: a file each call's line is appended to at once, so
     * that the calls before a crash are known. */
    const char *trace = getenv("FAKE_NVML_TRACE");
    if (trace && *trace && fk_buf) {
        FILE *f = fopen(trace, "a");
        if (f) {
            fputs(fk_buf + fk_line_start, f);
            fclose(f);
        }
    }
    pthread_mutex_unlock(&fk_lock);
    return rc;
}

static void fk_log_cstr(const char *name, const char *s)
{
    if (!s) {
        fk_append("%s=NULL", name);
        return;
    }
    fk_append("%s=\"", name);
    for (int i = 0; s[i] && i < 64; i++)
        fk_append((s[i] >= 32 && s[i] < 127 && s[i] != '"' && s[i] != '\\') ? "%c" : "\\x%02x",
                  (unsigned char)s[i]);
    fk_append("\"");
}

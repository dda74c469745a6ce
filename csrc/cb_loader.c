/* Finding a CUDA library the way the ecosystem does, and lazy symbols.
 *
 * Search order: NVIDIA's cuda-pathfinder when it is installed (it knows
 * wheels, conda and system installs), then the sonames through the dynamic
 * loader, then the library's folders under $CUDA_HOME (or $CUDA_PATH, or
 * /usr/local/cuda): lib64 and lib, nvvm/lib64 for NVVM.
 */
#define _GNU_SOURCE
#include "cb_loader.h"

#include <ctype.h>
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One lock for every library: opening happens once per library. */
static pthread_mutex_t loader_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Wait for the lock without holding the GIL, so that a thread holding the
 * lock can take the GIL (it may call cuda.pathfinder). */
static void
loader_lock(void)
{
    if (pthread_mutex_trylock(&loader_mutex) == 0)
        return;
    if (Py_IsInitialized() && PyGILState_Check()) {
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&loader_mutex);
        Py_END_ALLOW_THREADS
    }
    else {
        pthread_mutex_lock(&loader_mutex);
    }
}

/* Add the strings to a bounded, NUL-terminated message (truncating). */
static void
append(char *buf, size_t size, const char *a, const char *b, const char *c)
{
    const char *parts[] = {a, b, c};
    size_t used = strlen(buf);
    for (int i = 0; i < 3; i++) {
        for (const char *s = parts[i]; s && *s && used + 1 < size; s++)
            buf[used++] = *s;
    }
    buf[used] = '\0';
}

/* Ask cuda.pathfinder for the library's absolute path.  Returns 1 and fills
 * `path` on success, 0 otherwise (with the reason appended to lib->error). */
static int
path_from_pathfinder(cb_library *lib, char *path, size_t size)
{
    int found = 0;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *exc = PyErr_GetRaisedException();  /* keep a caller's error intact */
    PyObject *mod = PyImport_ImportModule("cuda.pathfinder");
    PyObject *loaded = NULL, *abs_path = NULL;
    if (mod == NULL) {
        append(lib->error, sizeof lib->error, "cuda.pathfinder: not installed; ", NULL, NULL);
        goto done;
    }
    loaded = PyObject_CallMethod(mod, "load_nvidia_dynamic_lib", "s", lib->pathfinder);
    if (loaded == NULL)
        goto report;
    abs_path = PyObject_GetAttrString(loaded, "abs_path");
    if (abs_path == NULL)
        goto report;
    if (PyUnicode_Check(abs_path)) {
        const char *s = PyUnicode_AsUTF8(abs_path);
        if (s == NULL)
            goto report;
        snprintf(path, size, "%s", s);
        found = 1;
    }
    else {
        append(lib->error, sizeof lib->error, "cuda.pathfinder: no abs_path; ", NULL, NULL);
    }
    goto done;
report: {
        PyObject *e = PyErr_GetRaisedException();
        PyObject *s = e ? PyObject_Str(e) : NULL;
        const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
        /* its first line: the rest lists whole folders, which would crowd out the other places tried */
        char line[512];
        snprintf(line, sizeof line, "%.*s", msg ? (int)strcspn(msg, "\n") : 0, msg ? msg : "");
        append(lib->error, sizeof lib->error, "cuda.pathfinder: ", line[0] ? line : "failed", "; ");
        Py_XDECREF(s);
        Py_XDECREF(e);
    }
done:
    PyErr_Clear();
    Py_XDECREF(abs_path);
    Py_XDECREF(loaded);
    Py_XDECREF(mod);
    PyErr_SetRaisedException(exc);
    PyGILState_Release(gil);
    return found;
}

static void *
try_dlopen(cb_library *lib, const char *name)
{
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *err = dlerror();
        append(lib->error, sizeof lib->error, err ? err : name, err ? "; " : ": not found; ", NULL);
    }
    return h;
}

static void
record_path(cb_library *lib, void *h, const char *fallback)
{
    struct link_map *map = NULL;
    if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0 && map != NULL && map->l_name && map->l_name[0])
        snprintf(lib->path, sizeof lib->path, "%s", map->l_name);
    else
        snprintf(lib->path, sizeof lib->path, "%s", fallback);
}

static void *
open_unlocked(cb_library *lib)
{
    char candidate[4096];
    void *h = NULL;
    lib->error[0] = '\0';

    if (lib->pathfinder && path_from_pathfinder(lib, candidate, sizeof candidate)) {
        h = try_dlopen(lib, candidate);
        if (h) {
            record_path(lib, h, candidate);
            return h;
        }
    }
    for (const char *const *so = lib->sonames; *so; so++) {
        h = try_dlopen(lib, *so);
        if (h) {
            record_path(lib, h, *so);
            return h;
        }
    }
    const char *home = getenv("CUDA_HOME");
    if (home == NULL || home[0] == '\0')
        home = getenv("CUDA_PATH");
    if (home == NULL || home[0] == '\0')
        home = "/usr/local/cuda";
    for (const char *const *sub = lib->subdirs; *sub; sub++) {
        for (const char *const *so = lib->sonames; *so; so++) {
            snprintf(candidate, sizeof candidate, "%s/%s/%s", home, *sub, *so);
            h = try_dlopen(lib, candidate);
            if (h) {
                record_path(lib, h, candidate);
                return h;
            }
        }
    }
    return NULL;
}

int
cb_library_open(cb_library *lib)
{
    if (atomic_load_explicit(&lib->handle, memory_order_acquire) != NULL)
        return 0;
    if (atomic_load_explicit(&lib->failed, memory_order_acquire))
        return -1;
    loader_lock();
    int rc = 0;
    if (atomic_load_explicit(&lib->handle, memory_order_acquire) == NULL &&
        !atomic_load_explicit(&lib->failed, memory_order_acquire)) {
        if (lib->opening) {
            /* cuda.pathfinder called back into us while we open: give up. */
            rc = -1;
        }
        else {
            lib->opening = 1;
            void *h = open_unlocked(lib);
            lib->opening = 0;
            if (h) {
                atomic_store_explicit(&lib->handle, h, memory_order_release);
            }
            else {
                size_t n = strlen(lib->error);   /* drop the last "; " */
                if (n >= 2 && lib->error[n - 2] == ';')
                    lib->error[n - 2] = '\0';
                atomic_store_explicit(&lib->failed, 1, memory_order_release);
            }
        }
    }
    if (atomic_load_explicit(&lib->handle, memory_order_acquire) == NULL)
        rc = -1;
    pthread_mutex_unlock(&loader_mutex);
    return rc;
}

void *
cb_symbol_slow(cb_library *lib, size_t slot)
{
    if ((lib->misconfigured != NULL && lib->misconfigured(NULL, 0)) || cb_library_open(lib) < 0)
        return NULL;
    void *h = atomic_load_explicit(&lib->handle, memory_order_acquire);
    void *p = lib->resolve ? lib->resolve(lib, slot) : dlsym(h, lib->symbols[slot]);
    if (p != NULL)
        atomic_store_explicit(&lib->slots[slot], p, memory_order_release);
    return p;
}

/* The exception class module.name, or RuntimeError where it cannot be
 * imported; NVIDIA's package raises cuda.bindings._internal.utils'
 * FunctionNotFoundError for a function a loaded library lacks, and
 * cuda.pathfinder's DynamicLibNotFoundError for a library it cannot load,
 * both RuntimeErrors.  New reference; only ever on an error path. */
static PyObject *
error_class(const char *module, const char *name)
{
    PyObject *cls = cb_import_attr(module, name);
    if (cls == NULL || !PyExceptionClass_Check(cls)) {
        PyErr_Clear();
        Py_XDECREF(cls);
        return Py_NewRef(PyExc_RuntimeError);
    }
    return cls;
}

static PyObject *
library_not_found_error(void)
{
    return error_class("cuda.pathfinder", "DynamicLibNotFoundError");
}

void
cb_report_missing(cb_library *lib, size_t slot)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    char why[512];
    if (lib->misconfigured != NULL && lib->misconfigured(why, sizeof why)) {
        PyErr_SetString(PyExc_ValueError, why);
    } else if (atomic_load_explicit(&lib->handle, memory_order_acquire) == NULL) {
        PyObject *cls = library_not_found_error();
        PyErr_Format(cls, "Function \"%s\" not found: the %s library could not be loaded (tried %s)",
                     lib->symbols[slot], lib->display, lib->error);
        Py_DECREF(cls);
    } else {
        PyObject *cls = error_class("cuda.bindings._internal.utils", "FunctionNotFoundError");
        PyErr_Format(cls, "Function \"%s\" not found in %s (%s)", lib->symbols[slot], lib->display, lib->path);
        Py_DECREF(cls);
    }
    PyGILState_Release(gil);
}

PyObject *
cb_library_info(cb_library *lib)
{
    int ok = cb_library_open(lib) == 0;
    return Py_BuildValue("{s:s, s:s, s:s}", "name", lib->display,
                         "path", ok ? lib->path : NULL,
                         "error", ok ? NULL : lib->error);
}

/* NVIDIA's private cuda.bindings._internal.<lib>._inspect_function_pointers(),
 * which cuda-core and numba-cuda call to ask whether a library, and a
 * function of it, is there: {"__<function>": address, 0 when absent}. */
PyObject *
cb_inspect_function_pointers(cb_library *lib)
{
    if (cb_library_open(lib) < 0) {
        PyObject *cls = library_not_found_error();
        PyErr_Format(cls, "the %s library could not be loaded (tried %s)", lib->display, lib->error);
        Py_DECREF(cls);
        return NULL;
    }
    PyObject *d = PyDict_New();
    for (size_t i = 0; d != NULL && i < lib->nsymbols; i++) {
        PyObject *key = PyUnicode_FromFormat("__%s", lib->symbols[i]);
        PyObject *value = PyLong_FromVoidPtr(cb_symbol(lib, i));
        if (key == NULL || value == NULL || PyDict_SetItem(d, key, value) < 0)
            Py_CLEAR(d);
        Py_XDECREF(key);
        Py_XDECREF(value);
    }
    return d;
}

#define PTDS_VARIABLE "CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM"

/* Nonzero for what Python's int() reads in base 10 (ASCII): spaces around,
 * a sign, digits with single underscores between them; *zero says its value. */
static int
int_literal(const char *s, int *zero)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    size_t i = (n > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    if (i == n || s[i] == '_' || s[n - 1] == '_')
        return 0;
    *zero = 1;
    for (; i < n; i++) {
        if (s[i] == '_' && s[i + 1] != '_')
            continue;
        if (!isdigit((unsigned char)s[i]))
            return 0;
        *zero &= s[i] == '0';
    }
    return 1;
}

int
cb_ptds_setting(void)
{
    const char *s = getenv(PTDS_VARIABLE);
    int zero;
    if (s == NULL)
        return 0;
    return int_literal(s, &zero) ? !zero : -1;
}

int
cb_ptds_misconfigured(char *why, size_t n)
{
    if (cb_ptds_setting() >= 0)
        return 0;
    if (why != NULL)
        snprintf(why, n, "invalid literal for int() with base 10: '%s' (" PTDS_VARIABLE ")", getenv(PTDS_VARIABLE));
    return 1;
}

void
cb_report_ptds(void)
{
    char why[512];
    cb_ptds_misconfigured(why, sizeof why);
    PyGILState_STATE gil = PyGILState_Ensure();
    PyErr_SetString(PyExc_ValueError, why);
    PyGILState_Release(gil);
}

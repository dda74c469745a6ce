/* Stand-in for <EGL/eglext.h>: only the types CUDA's interop headers use. */
#include "../cb_interop_types.h"

/* Stand-in for <EGL/egl.h>: only the types CUDA's interop headers use. */
#include "../cb_interop_types.h"

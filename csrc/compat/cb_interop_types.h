/* The few graphics-interop types that cudaGL.h, cudaEGL.h and cudaVDPAU.h
 * take from OpenGL, EGL and VDPAU headers.
 *
 * Those headers are often absent where CUDA is (build machines, CI), and we
 * only pass these values through to the driver, so we declare them here with
 * the widths the Khronos and VDPAU headers give them.  The generator parses
 * this file before the CUDA headers, so it learns these names from here.
 */
#ifndef CB_INTEROP_TYPES_H
#define CB_INTEROP_TYPES_H

#include <stdint.h>

typedef unsigned int GLenum;
typedef unsigned int GLuint;

typedef int32_t EGLint;
typedef void *EGLImageKHR;
typedef void *EGLStreamKHR;
typedef void *EGLSyncKHR;

typedef uint32_t VdpDevice;
typedef uint32_t VdpVideoSurface;
typedef uint32_t VdpOutputSurface;
/* VdpStatus (an enum) and VdpFuncId (uint32_t) spelled out: only the
 * function type is needed, and its spellings need no names of their own. */
typedef int VdpGetProcAddress(VdpDevice device, uint32_t function_id, void **function_pointer);

#endif

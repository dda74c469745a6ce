/* The few graphics-interop types that cudaGL.h, cudaEGL.h and cudaVDPAU.h
 * take from OpenGL, EGL and VDPAU headers.
 *
 * Those headers are often absent where CUDA is (build machines, CI), and we
 * only pass these values through to the driver, so we declare them here with
 * the widths the Khronos and VDPAU headers give them, and as the types
 * NVIDIA's cydriver.pxd declares them (the cimport API): EGLint unsigned,
 * VdpGetProcAddress a 64-bit value (the address of the function).  The
 * generator parses this file before the CUDA headers, so it learns these
 * names from here.
 */
#ifndef CB_INTEROP_TYPES_H
#define CB_INTEROP_TYPES_H

#include <stdint.h>

typedef unsigned int GLenum;
typedef unsigned int GLuint;

typedef unsigned int EGLint;
typedef void *EGLImageKHR;
typedef void *EGLStreamKHR;
typedef void *EGLSyncKHR;

typedef uint32_t VdpDevice;
typedef uint32_t VdpVideoSurface;
typedef uint32_t VdpOutputSurface;
typedef unsigned long long VdpGetProcAddress;

#endif

/* Stand-in for VDPAU's header where it is absent: cuda_vdpau_interop.h
 * includes it for the few types it names, which cb_interop_types.h
 * declares with VDPAU's widths.  A real vdpau/vdpau.h found first on the
 * include path wins. */
#ifndef CB_COMPAT_VDPAU_H
#define CB_COMPAT_VDPAU_H
#include "../cb_interop_types.h"
#endif

"""What NVIDIA's private ``cuda.bindings._internal`` offers that the packages
on top rely on: cuda-core and numba-cuda ask
``_internal.nvjitlink._inspect_function_pointer("__nvJitLinkVersion")`` (and
the same of NVVM) whether a library is installed and new enough, and catch
``_internal.utils.NotSupportedError``.  Not API of this package otherwise."""

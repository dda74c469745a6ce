/* Functions of cuda.bindings.runtime that no toolkit header declares.
 * The generator reads this file after the runtime headers for their
 * prototypes and documentation; it is not compiled. */

/**
 * \brief Returns the version of the CUDA runtime shared library installed here
 *
 * Returns in \p *runtimeVersion the version of the CUDA runtime shared
 * library (libcudart.so) found in this environment, the way the loader finds
 * the other CUDA libraries (cuda-pathfinder, then the soname).  This is not
 * the runtime these bindings call: that one is linked in statically, and
 * ::cudaRuntimeGetVersion reports it.  The shared library is loaded on the
 * first call and only asked for its version.
 *
 * \param runtimeVersion - Returns the version of the local CUDA runtime library
 *
 * \return
 * ::cudaSuccess,
 * ::cudaErrorInvalidValue
 *
 * \sa ::cudaRuntimeGetVersion
 */
extern cudaError_t getLocalRuntimeVersion(int *runtimeVersion);

"""Print the directory that holds a library's headers, for meson.

    python gen/find_header.py LIB CUDA_HOME [--toolkit-only]

Some CUDA headers ship and version apart from the toolkit: NVIDIA's wheels
(nvidia-nvvm, nvidia-nvfatbin, and nvidia-cuda-runtime with nvidia-cuda-crt
and nvidia-cuda-profiler-api for cuda.h and the runtime) carry the version
this package binds, which the toolkit on a machine may predate; a toolkit
keeps nvvm.h under nvvm/include, and some installs lack nvFatbin.h.  The
search: those wheels on sys.path (nvidia/cu<N>/include, newest N first),
then cuda-pathfinder when it is installed (conda, the toolkit), then the
toolkit's include and <name>/include.  A directory counts only when it has
every header named (a driver header without the runtime's beside it is a
partial install).  The wheels come first, and from sys.path, because pip's
isolated build environment puts its packages on sys.path but not among
site.getsitepackages(), where cuda-pathfinder looks for wheels.
NVRTC and nvJitLink are always the toolkit's; --toolkit-only makes the
others so too.  Prints nothing when no place has the headers; meson then
says where it looked.  The tests use find() to read the headers a build
here binds.
"""
import glob
import os
import re
import sys


def wheel_dirs():
    for entry in sys.path:
        found = glob.glob(os.path.join(entry or ".", "nvidia", "cu[0-9]*", "include"))
        yield from sorted(found, key=lambda d: -int(re.search(r"cu(\d+)", d).group(1)))


def pathfinder_dir(name):
    try:
        from cuda.pathfinder import locate_nvidia_header_directory
    except ImportError:
        return None
    try:
        found = locate_nvidia_header_directory(name)
    except Exception:  # an unknown name or a broken install: fall back to the toolkit
        return None
    return found.abs_path if found is not None else None


# Per library: the name cuda-pathfinder knows its headers by, what a
# directory must hold to be taken (the driver's headers without the
# runtime's beside them are a partial install; meson then looks for
# libcudart_static.a beside the folder taken), and whether NVIDIA's wheels
# may supply them.
CUDART = ("cudart", ("cuda.h", "cuda_runtime_api.h", "cudaProfiler.h", "crt/host_defines.h"), True)
LOOKUP = {
    "nvrtc": ("nvrtc", ("nvrtc.h",), False),
    "nvjitlink": ("nvjitlink", ("nvJitLink.h",), False),
    "nvvm": ("nvvm", ("nvvm.h",), True),
    "nvfatbin": ("nvfatbin", ("nvFatbin.h",), True),
    "driver": CUDART,
    "runtime": CUDART,
}


def candidates(name, cuda_home, toolkit_only=False):
    if not toolkit_only:
        yield from wheel_dirs()
        found = pathfinder_dir(name)
        if found:
            yield found
    yield os.path.join(cuda_home, "include")
    yield os.path.join(cuda_home, name, "include")


def find(lib, cuda_home, toolkit_only=False):
    """The directory `lib`'s headers are bound from, or None."""
    name, headers, wheels = LOOKUP[lib]
    for d in candidates(name, cuda_home, toolkit_only or not wheels):
        if all(os.path.isfile(os.path.join(d, h)) for h in headers):
            return os.path.abspath(d)
    return None


def main(argv):
    lib, cuda_home = [a for a in argv if a != "--toolkit-only"]
    found = find(lib, cuda_home, "--toolkit-only" in argv)
    if found:
        print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

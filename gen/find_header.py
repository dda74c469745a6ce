"""Print the directory that holds a library's header, for meson.

    python gen/find_header.py NAME HEADER CUDA_HOME

NVVM and nvFatbin ship and version apart from the toolkit (NVIDIA's
nvidia-nvvm and nvidia-nvfatbin wheels carry the newest headers; a toolkit
keeps nvvm.h under nvvm/include, and some installs lack nvFatbin.h).  The
search: those wheels on sys.path (nvidia/cu<N>/include, newest N first),
then cuda-pathfinder when it is installed (conda, the toolkit), then the
toolkit's include and <name>/include.  The wheels come first, and from
sys.path, because pip's isolated build environment puts its packages on
sys.path but not among site.getsitepackages(), where cuda-pathfinder looks
for wheels.  Prints nothing when no place has the header; meson then says
where it looked.
"""
import glob
import os
import re
import sys


def wheel_dirs():
    for entry in sys.path:
        found = glob.glob(os.path.join(entry or ".", "nvidia", "cu[0-9]*", "include"))
        yield from sorted(found, key=lambda d: -int(re.search(r"cu(\d+)", d).group(1)))


def candidates(name, cuda_home):
    yield from wheel_dirs()
    try:
        from cuda.pathfinder import locate_nvidia_header_directory
    except ImportError:
        pass
    else:
        try:
            found = locate_nvidia_header_directory(name)
        except Exception:  # an unknown name or a broken install: fall back to the toolkit
            found = None
        if found is not None:
            yield found.abs_path
    yield os.path.join(cuda_home, "include")
    yield os.path.join(cuda_home, name, "include")


def main(argv):
    name, header, cuda_home = argv
    for d in candidates(name, cuda_home):
        if os.path.isfile(os.path.join(d, header)):
            print(os.path.abspath(d))
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

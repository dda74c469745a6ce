"""Builds the fake libcudla.so.1 (fake_cudla.c) into a folder of its own,
which goes on LD_LIBRARY_PATH: both packages find it by its soname."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cudla_include():
    """The folder of the cudla.h ours binds: an installed one of the release, else gen/data/cudla."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    try:
        from gen import find_header
    finally:
        sys.path.pop(0)
    return find_header.find("cudla", os.environ.get("CUDA_HOME", "/usr/local/cuda"), "13.5")


def build(dest):
    """Writes dest/lib/libcudla.so.1; returns dest/lib."""
    lib_dir = os.path.join(dest, "lib")
    os.makedirs(lib_dir, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-Werror", "-Wl,-soname,libcudla.so.1",
                    "-I" + cudla_include(), os.path.join(HERE, "fake_cudla.c"),
                    "-o", os.path.join(lib_dir, "libcudla.so.1")], check=True)
    return lib_dir


if __name__ == "__main__":
    print(build(sys.argv[1]))

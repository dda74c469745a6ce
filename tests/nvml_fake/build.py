"""Builds the fake libnvidia-ml.so.1 (make_fake.py) into a folder of its own:
the folder goes on LD_LIBRARY_PATH, and holds no other library."""
import os
import subprocess

import make_fake

HERE = os.path.dirname(os.path.abspath(__file__))


def find_nvml_header():
    """nvml.h: $NVML_H, or the nvidia-nvml-dev wheel's (nvidia/cu*/include)
    on this interpreter's sys.path; None where there is neither."""
    env = os.environ.get("NVML_H")
    if env:
        return env
    import glob
    import sys
    for root in sys.path:
        for path in sorted(glob.glob(os.path.join(root, "nvidia", "cu*", "include", "nvml.h"))):
            return path
    return None


def build(header, dest):
    """Writes dest/libnvidia-ml.so.1; returns dest."""
    os.makedirs(dest, exist_ok=True)
    text, _ = make_fake.generate(header)
    src = os.path.join(dest, "fake_nvml.c")
    with open(src, "w") as f:
        f.write(text)
    lib_dir = os.path.join(dest, "lib")
    os.makedirs(lib_dir, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-Wno-unused-function",
                    "-Wl,-soname,libnvidia-ml.so.1",
                    "-I" + os.path.dirname(header), "-I" + HERE, src, "-o",
                    os.path.join(lib_dir, "libnvidia-ml.so.1"), "-lpthread"], check=True)
    return lib_dir

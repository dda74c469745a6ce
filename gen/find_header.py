"""Find the headers of every library, all of one CUDA release, for meson.

    python gen/find_header.py CUDA_HOME RELEASE           NVIDIA's wheels first
    python gen/find_header.py CUDA_HOME toolkit           the toolkit first

prints one line per library: name, folder, release and origin, tab-separated
(`nvrtc  /.../nvidia/cu13/include  13.5  nvidia-cuda-nvrtc 13.5.37`), and
exits 1 with the reason when some library has no headers of that release.
cuDLA's header ships for aarch64 only: elsewhere the declarations made from
it (gen/data/cudla, DECLARATIONS) serve, and a build of a release they are
not of leaves cuDLA out, saying so.

A build binds one CUDA release, whatever the machine has: RELEASE (`13.5`,
the package version's) is searched for first among NVIDIA's header wheels
on sys.path (nvidia/cu<N>/include, whose .dist-info beside them says which
wheel and version each header came from), then in the toolkit when the
toolkit is that release.  `toolkit` binds the toolkit's release (its
cuda.h's CUDA_VERSION) from the toolkit's include/ and <name>/include
(NVVM), falling back to wheels of that same release for a header the
toolkit lacks (some installs have no nvFatbin.h).  A folder counts for a
library only when it holds every header named (cuda.h without the
runtime's headers beside it is a partial install).  The wheels are looked
for on sys.path, not site.getsitepackages(), because pip's isolated build
environment puts its packages there only.  The tests use find() to read the
headers that a build here binds.
"""
import glob
import os
import re
import sys

# What a folder must hold for each library, and the wheel that ships it.
CUDART = (("cuda.h", "cuda_runtime_api.h", "cudaProfiler.h", "crt/host_defines.h"),
          ("nvidia-cuda-runtime", "nvidia-cuda-crt", "nvidia-cuda-profiler-api"))
LOOKUP = {
    "nvrtc": (("nvrtc.h",), ("nvidia-cuda-nvrtc",)),
    "nvjitlink": (("nvJitLink.h",), ("nvidia-nvjitlink",)),
    "nvvm": (("nvvm.h",), ("nvidia-nvvm",)),
    "nvfatbin": (("nvFatbin.h",), ("nvidia-nvfatbin",)),
    "nvml": (("nvml.h",), ("nvidia-nvml-dev",)),
    "cufile": (("cufile.h",), ("nvidia-cufile",)),
    "cudla": (("cudla.h",), ("nvidia-cudla",)),   # aarch64 only: else gen/data/cudla (DECLARATIONS)
    "driver": CUDART,
    "runtime": CUDART,
}


# Wheels numbered by their library's own version, not CUDA's: the CUDA
# release each of theirs belongs to (cuda-toolkit 13.5 pins nvidia-cufile==1.20.0.107).
CUDA_RELEASE_OF = {"nvidia-cufile": {"1.20": "13.5"}}


# Libraries whose header NVIDIA ships for some platforms only: a folder of
# declarations made from it (gen/data/cudla_decls.py), offered last.  Its
# first line says the CUDA release, its second the wheel it was made from.
DECLARATIONS = {"cudla": os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cudla")}


def declaration_candidates(lib):
    d = DECLARATIONS.get(lib)
    headers, _ = LOOKUP[lib]
    try:
        with open(os.path.join(d, headers[0])) as f:
            release = re.match(r"/\* cuda-release: (\S+) \*/", f.readline()).group(1)
            made_from = re.match(r"/\* made-from: (.+) \*/", f.readline()).group(1)
    except (TypeError, OSError, AttributeError):
        return
    yield d, release, "declarations made from %s (gen/data/%s)" % (made_from, lib)


def own_version(dist, release):
    """The version of wheel `dist` that belongs to CUDA `release` ('1.20' of nvidia-cufile for '13.5')."""
    return next((own for own, rel in CUDA_RELEASE_OF.get(dist, {}).items() if rel == release), release)


def release_of(version, dist=None):
    """'13.5' of '13.5.37' (of nvidia-cufile's '1.20.0.107' too)."""
    own = ".".join(version.split(".")[:2])
    return CUDA_RELEASE_OF.get(dist, {}).get(own, own)


def wheel_owners(site):
    """{path of a file relative to site: (distribution, version)} for NVIDIA's wheels in site."""
    owners = {}
    for info in glob.glob(os.path.join(site, "nvidia_*.dist-info")):
        try:
            with open(os.path.join(info, "METADATA"), errors="replace") as f:
                meta = dict(re.findall(r"^(Name|Version): (\S+)", f.read(), re.M))
            with open(os.path.join(info, "RECORD"), errors="replace") as f:
                files = [line.split(",", 1)[0] for line in f]
        except OSError:
            continue
        if "Name" in meta and "Version" in meta:
            for path in files:
                owners[path] = (meta["Name"].lower().replace("_", "-"), meta["Version"])
    return owners


def wheel_candidates(lib):
    """(folder, release, origin) for each wheel folder on sys.path holding lib's headers."""
    headers, _ = LOOKUP[lib]
    for site in dict.fromkeys(os.path.abspath(e or ".") for e in sys.path):
        found = glob.glob(os.path.join(site, "nvidia", "cu[0-9]*", "include"))
        for d in sorted(found, key=lambda d: -int(re.search(r"cu(\d+)", d).group(1))):
            if not all(os.path.isfile(os.path.join(d, h)) for h in headers):
                continue
            owners = wheel_owners(site)
            rel = os.path.relpath(d, site).replace(os.sep, "/")
            dists = {owners.get(rel + "/" + h) for h in headers}  # the runtime's: three wheels
            if None in dists:
                yield d, None, "a folder of no installed wheel (%s)" % d
                continue
            releases = {release_of(v, d) for d, v in dists}
            origin = ", ".join("%s %s" % o for o in sorted(dists))
            yield d, releases.pop() if len(releases) == 1 else None, origin


def toolkit_release(cuda_home):
    """The toolkit's release ('13.0') from its cuda.h, or None."""
    try:
        with open(os.path.join(cuda_home, "include", "cuda.h"), errors="replace") as f:
            m = re.search(r"^#define\s+CUDA_VERSION\s+(\d+)", f.read(), re.M)
    except OSError:
        return None
    return "%d.%d" % (int(m.group(1)) // 1000, int(m.group(1)) % 1000 // 10) if m else None


def toolkit_candidates(lib, cuda_home):
    headers, _ = LOOKUP[lib]
    release = toolkit_release(cuda_home)
    for d in (os.path.join(cuda_home, "include"), os.path.join(cuda_home, lib, "include")):
        if all(os.path.isfile(os.path.join(d, h)) for h in headers):
            yield os.path.abspath(d), release, "the toolkit at %s" % cuda_home


def locate(lib, cuda_home, release):
    """(folder, release, origin) of lib's headers of `release` ('13.5', or
    'toolkit' for the toolkit's), or (None, release, what was found instead)."""
    if release == "toolkit":
        release = toolkit_release(cuda_home)
        order = list(toolkit_candidates(lib, cuda_home)) + list(wheel_candidates(lib))
    else:
        order = list(wheel_candidates(lib)) + list(toolkit_candidates(lib, cuda_home))
    order += list(declaration_candidates(lib))
    for d, rel, origin in order:
        if rel is not None and rel == release:
            return d, rel, origin
    seen = "; ".join("%s from %s" % (rel or "an unknown release", origin) for _, rel, origin in order)
    return None, release, seen or "nothing"


def find(lib, cuda_home, release):
    """The folder `lib`'s headers of `release` are bound from, or None."""
    return locate(lib, cuda_home, release)[0]


def main(argv):
    cuda_home, release = argv
    missing = {}
    for lib, (headers, wheels) in LOOKUP.items():
        d, rel, origin = locate(lib, cuda_home, release)
        if d is not None:
            print("\t".join((lib, d, rel, origin)))
            continue
        if lib in DECLARATIONS:   # left out of the build, not a failure (-Dheaders=toolkit of another release)
            print("%s: not bound: no %s of CUDA %s (found: %s)" % (lib, headers[0], rel, origin), file=sys.stderr)
            continue
        if rel is None:
            missing[lib] = "no toolkit at %s (no include/cuda.h): set CUDA_HOME" % cuda_home
            continue
        missing[lib] = "%s of CUDA %s not found (found: %s): install %s, or set CUDA_HOME to a CUDA %s toolkit" % (
            headers[0], rel, origin, " ".join("%s==%s.*" % (w, own_version(w, rel)) for w in wheels), rel)
    for reason in dict.fromkeys(missing.values()):  # the driver's and the runtime's are one search
        print(reason, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

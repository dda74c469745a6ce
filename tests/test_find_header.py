"""gen/find_header.py: every header of one CUDA release, never a mix.

Synthetic toolkits and wheel folders (with the .dist-info that says which
wheel and version owns each header) stand in for the real ones."""
import os
import subprocess
import sys

from helpers import ROOT, load_gen

load_gen()
import gen.find_header as find  # noqa: E402

RUNTIME = ("cuda.h", "cuda_runtime_api.h", "cudaProfiler.h", "crt/host_defines.h")
HEADERS_OF_WHEEL = {"nvidia-cuda-runtime": ("cuda.h", "cuda_runtime_api.h"),
                    "nvidia-cuda-profiler-api": ("cudaProfiler.h",), "nvidia-cuda-crt": ("crt/host_defines.h",),
                    "nvidia-cuda-nvrtc": ("nvrtc.h",), "nvidia-nvjitlink": ("nvJitLink.h",),
                    "nvidia-nvvm": ("nvvm.h",), "nvidia-nvfatbin": ("nvFatbin.h",),
                    "nvidia-nvml-dev": ("nvml.h",), "nvidia-cufile": ("cufile.h",)}


def toolkit(root, version, without=()):
    """A toolkit folder whose cuda.h says CUDA_VERSION `version` (13000)."""
    inc = root / "include"
    for h in RUNTIME + ("nvrtc.h", "nvJitLink.h", "nvvm.h", "nvFatbin.h", "nvml.h", "cufile.h"):
        if h not in without:
            (inc / h).parent.mkdir(parents=True, exist_ok=True)
            (inc / h).write_text("#define CUDA_VERSION %d\n" % version if h == "cuda.h" else "")
    return str(root)


def wheels(site, versions):
    """NVIDIA's wheels installed in `site`: {wheel name: version}."""
    inc = site / "nvidia" / "cu13" / "include"
    for name, version in versions.items():
        info = site / ("%s-%s.dist-info" % (name.replace("-", "_"), version))
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version))
        files = []
        for h in HEADERS_OF_WHEEL[name]:
            (inc / h).parent.mkdir(parents=True, exist_ok=True)
            (inc / h).write_text("")
            files.append("nvidia/cu13/include/%s,sha256=x,0\n" % h)
        (info / "RECORD").write_text("".join(files))
    return str(inc)


def search(cuda_home, release, site=None):
    """Run the search as meson does; (exit status, {lib: (folder, release, origin)}, stderr)."""
    env = dict(os.environ, PYTHONPATH=str(site) if site else "")
    r = subprocess.run([sys.executable, "-S", os.path.join(ROOT, "gen", "find_header.py"), cuda_home, release],
                       capture_output=True, text=True, env=env)
    found = {line.split("\t")[0]: tuple(line.split("\t")[1:]) for line in r.stdout.splitlines()}
    return r.returncode, found, r.stderr


ALL_13_5 = dict({name: "13.5.37" for name in HEADERS_OF_WHEEL}, **{"nvidia-cufile": "1.20.0.107"})


def test_the_release_comes_from_its_wheels_whatever_the_toolkit(tmp_path):
    home = toolkit(tmp_path / "cuda", 13000)
    inc = wheels(tmp_path / "site", dict(ALL_13_5, **{"nvidia-cuda-profiler-api": "13.5.25"}))
    rc, found, err = search(home, "13.5", tmp_path / "site")
    assert rc == 0, err
    assert set(found) == {"nvrtc", "nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "cudla", "driver", "runtime"}
    # cudla.h ships for aarch64 only: the declarations made from it serve (gen/data/cudla)
    assert found.pop("cudla") == (os.path.join(ROOT, "gen", "data", "cudla"), "13.5",
                                  "declarations made from nvidia-cudla 13.5.25 (gen/data/cudla)")
    assert {d for d, _, _ in found.values()} == {inc}
    assert {rel for _, rel, _ in found.values()} == {"13.5"}
    assert found["nvrtc"][2] == "nvidia-cuda-nvrtc 13.5.37"
    assert found["driver"][2] == ("nvidia-cuda-crt 13.5.37, nvidia-cuda-profiler-api 13.5.25, "
                                  "nvidia-cuda-runtime 13.5.37")


def test_a_wheel_of_another_release_is_refused_not_mixed_in(tmp_path):
    home = toolkit(tmp_path / "cuda", 13000)
    wheels(tmp_path / "site", dict(ALL_13_5, **{"nvidia-cuda-nvrtc": "13.0.88"}))
    rc, found, err = search(home, "13.5", tmp_path / "site")
    assert rc == 1 and "nvrtc" not in found
    assert "nvrtc.h of CUDA 13.5 not found" in err and "install nvidia-cuda-nvrtc==13.5.*" in err
    assert "13.0 from nvidia-cuda-nvrtc 13.0.88" in err


def test_runtime_headers_of_two_releases_are_refused(tmp_path):
    """cuda.h of 13.5 beside a crt/ of 13.3 is no release at all."""
    home = toolkit(tmp_path / "cuda", 13000)
    wheels(tmp_path / "site", dict(ALL_13_5, **{"nvidia-cuda-crt": "13.3.33"}))
    rc, found, err = search(home, "13.5", tmp_path / "site")
    assert rc == 1 and "driver" not in found and "runtime" not in found
    assert "cuda.h of CUDA 13.5 not found" in err and "nvidia-cuda-crt==13.5.*" in err


def test_a_toolkit_of_the_release_serves_without_wheels(tmp_path):
    home = toolkit(tmp_path / "cuda", 13050)
    rc, found, err = search(home, "13.5")
    assert rc == 0, err
    assert found.pop("cudla")[2] == "declarations made from nvidia-cudla 13.5.25 (gen/data/cudla)"
    assert {o for _, _, o in found.values()} == {"the toolkit at %s" % home}


def test_toolkit_mode_binds_the_toolkits_release(tmp_path):
    """-Dheaders=toolkit: the toolkit's 13.0, although 13.5 wheels are there."""
    home = toolkit(tmp_path / "cuda", 13000)
    wheels(tmp_path / "site", ALL_13_5)
    rc, found, err = search(home, "toolkit", tmp_path / "site")
    assert rc == 0, err
    assert {rel for _, rel, _ in found.values()} == {"13.0"}
    assert found["nvrtc"][0] == os.path.join(home, "include")


def test_an_installed_cudla_h_comes_before_the_declarations_and_another_release_leaves_cudla_out(tmp_path):
    home = toolkit(tmp_path / "cuda", 13000)
    HEADERS_OF_WHEEL["nvidia-cudla"] = ("cudla.h",)
    try:
        inc = wheels(tmp_path / "site", dict(ALL_13_5, **{"nvidia-cudla": "13.5.25"}))
    finally:
        del HEADERS_OF_WHEEL["nvidia-cudla"]
    rc, found, err = search(home, "13.5", tmp_path / "site")
    assert rc == 0, err
    assert found["cudla"] == (inc, "13.5", "nvidia-cudla 13.5.25")
    # a build of the toolkit's 13.0: no cudla.h of 13.0 anywhere, so no cuDLA, said, and no failure
    rc, found, err = search(home, "toolkit", tmp_path / "site")
    assert rc == 0, err
    assert "cudla" not in found and "nvrtc" in found
    assert "cudla: not bound: no cudla.h of CUDA 13.0" in err


def test_toolkit_mode_takes_a_missing_header_from_a_wheel_of_its_release_only(tmp_path):
    home = toolkit(tmp_path / "cuda", 13000, without=("nvFatbin.h",))
    wheels(tmp_path / "site", ALL_13_5)
    rc, found, err = search(home, "toolkit", tmp_path / "site")
    assert rc == 1 and "nvfatbin" not in found
    assert "nvFatbin.h of CUDA 13.0 not found (found: 13.5 from nvidia-nvfatbin 13.5.37)" in err
    wheels(tmp_path / "site13", {"nvidia-nvfatbin": "13.0.85"})
    rc, found, err = search(home, "toolkit", tmp_path / "site13")
    assert rc == 0, err
    assert found["nvfatbin"][1:] == ("13.0", "nvidia-nvfatbin 13.0.85")


def test_no_toolkit_and_no_wheels_says_what_to_do(tmp_path):
    rc, found, err = search(str(tmp_path / "none"), "toolkit")
    assert rc == 1 and not found and "no toolkit at" in err
    rc, found, err = search(str(tmp_path / "none"), "13.5")
    assert rc == 1 and "install nvidia-cuda-runtime==13.5.* nvidia-cuda-crt==13.5.*" in err


def test_the_build_bound_one_release_and_says_where_it_came_from():
    """The installed package: the release its version names, with an origin for every library."""
    import cuda.bindings
    from cuda.bindings import _version, driver
    release = ".".join(cuda.bindings.__version__.split(".")[:2])
    assert _version._cuda_release == release
    assert "%d.%d" % (driver.CUDA_VERSION // 1000, driver.CUDA_VERSION % 1000 // 10) == release
    assert set(_version._headers_from) == {"nvrtc", "nvjitlink", "nvvm", "nvfatbin", "nvml", "cufile", "cudla",
                                           "driver", "runtime"}
    assert all(_version._headers_from.values())
    assert find.release_of("13.5.37") == "13.5"
    # cuFile's wheel has its own numbers: cuda-toolkit 13.5 pins nvidia-cufile 1.20.0.107
    assert find.release_of("1.20.0.107", "nvidia-cufile") == "13.5"
    assert find.own_version("nvidia-cufile", "13.5") == "1.20"

"""The differential harness: the same cases run under NVIDIA's cuda-bindings
(in a venv of its own) and under ours (the interpreter running the tests),
each side in its own processes, and what user code can observe is compared.

- nvidia_python(): the side venv's interpreter.  $CB_NVIDIA_PYTHON names one
  that has NVIDIA's package; otherwise a venv is made once under
  $CB_NVIDIA_VENV (default ~/.cache/cuda-bindings-c/nvidia-<version>) and
  NVIDIA's package installed into it with pip ($CB_NVIDIA_WHEELS: a folder
  to install from offline).
- run_cases(): the observer (observe.py) over a list of cases; a case that
  crashes or hangs a side is that side's observation ("crash"), and the
  run goes on from the case after it.
- differences(): the cases whose observations differ, less what the
  reviewed table (deliberate.py) allows, each entry with its reason.
"""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time

NVIDIA_VERSION = "13.5.0"
CUFILE = "nvidia-cufile==1.20.0.107.*"   # cuda-toolkit 13.5's libcufile, which cuda.bindings.cufile loads
HERE = os.path.dirname(os.path.abspath(__file__))
OBSERVER = os.path.join(HERE, "observe.py")
# NVIDIA's package finds NVRTC, nvJitLink, NVVM and nvFatbin in these wheels
# (through cuda-pathfinder), as ours does in the test extras'.
NVIDIA_REQUIREMENTS = ["cuda-bindings==" + NVIDIA_VERSION, "cuda-pathfinder",
                       "nvidia-cuda-nvrtc==13.5.*", "nvidia-nvjitlink==13.5.*",
                       "nvidia-nvvm==13.5.*", "nvidia-nvfatbin==13.5.*",
                       "numpy",   # cuda.bindings.nvml's struct classes are numpy arrays
                       CUFILE]
VERSION_CHECK = "import cuda.bindings; print(cuda.bindings.__version__)"


def side_version(python):
    if not os.path.exists(python):
        return None
    r = subprocess.run([python, "-P", "-c", VERSION_CHECK], capture_output=True, text=True, cwd="/",
                       env=nvidia_env())
    return r.stdout.strip() if r.returncode == 0 else None


def nvidia_python(needs=(), dists=()):
    """The interpreter of NVIDIA's side, made on first use; raises
    RuntimeError saying why where it cannot be had.  `needs`: modules the
    caller's cases import there too (numpy for nvml), and `dists`:
    requirements whose distributions must be installed (a library's wheel:
    CUFILE), each installed into the venv made here where it lacks them (a
    venv made before they were among NVIDIA_REQUIREMENTS)."""
    python = os.environ.get("CB_NVIDIA_PYTHON")
    venv = None
    if not python:
        venv = os.environ.get("CB_NVIDIA_VENV") or os.path.join(
            os.path.expanduser("~"), ".cache", "cuda-bindings-c", "nvidia-" + NVIDIA_VERSION)
        python = os.path.join(venv, "bin", "python")
        if side_version(python) != NVIDIA_VERSION:
            make_venv(venv)
    got = side_version(python)
    if got != NVIDIA_VERSION:
        raise RuntimeError("%s has NVIDIA's cuda-bindings %s, not %s" % (python, got, NVIDIA_VERSION))
    def lacking():
        return [m for m in needs if not importable(python, m)] + [d for d in dists if not installed(python, d)]
    missing = lacking()
    if missing and venv is not None:
        pip_install(venv, missing)
        missing = lacking()
    if missing:
        raise RuntimeError("%s lacks %s, which NVIDIA's side needs here" % (python, ", ".join(missing)))
    return python


def importable(python, module):
    return subprocess.run([python, "-P", "-c", "import " + module], capture_output=True, cwd="/",
                          env=nvidia_env()).returncode == 0


def installed(python, requirement):
    name = re.split(r"[=<>!~;\s]", requirement, 1)[0]
    return subprocess.run([python, "-P", "-c", "import importlib.metadata as m; m.version(%r)" % name],
                          capture_output=True, cwd="/", env=nvidia_env()).returncode == 0


def make_venv(venv):
    subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True, env=nvidia_env())
    pip_install(venv, NVIDIA_REQUIREMENTS)


def pip_install(venv, requirements):
    pip = [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q",
           "--disable-pip-version-check"]
    wheels = os.environ.get("CB_NVIDIA_WHEELS")
    if wheels:
        pip += ["--no-index", "--find-links", wheels]
    r = subprocess.run(pip + list(requirements), capture_output=True, text=True, env=nvidia_env())
    if r.returncode != 0:
        raise RuntimeError("could not install %s into %s:\n%s" % (" ".join(requirements), venv, r.stderr[-2000:]))


# What points an interpreter at our build (.ci/sanitizers puts its build on
# PYTHONPATH and preloads ASan): never passed to NVIDIA's side.
OURS_ONLY = ("PYTHONPATH", "LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "CB_SANITIZED")


def nvidia_env():
    return {k: v for k, v in os.environ.items() if k not in OURS_ONLY}


def _cache_key(python, cases, env, observer):
    """What NVIDIA's observations depend on: the cases, the observer, the
    interpreter and the distributions of its venv (a library's wheel added
    later: nvidia-cufile), and the files of each folder the env's paths name
    (the fake libnvidia-ml.so.1 is rebuilt in a new folder every session)."""
    import glob
    import hashlib
    h = hashlib.sha256()
    venv = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    dists = sorted(os.path.basename(d) for d in glob.glob(os.path.join(venv, "lib", "python*", "site-packages",
                                                                       "*.dist-info")))
    for part in (NVIDIA_VERSION, os.path.realpath(python), json.dumps(cases, sort_keys=True), " ".join(dists)):
        h.update(part.encode() + b"\0")
    with open(observer, "rb") as f:
        h.update(f.read())
    for name, value in sorted((env or {}).items()):
        h.update(name.encode() + b"=")
        for item in value.split(os.pathsep):
            if os.path.isdir(item):
                for entry in sorted(os.listdir(item)):
                    full = os.path.join(item, entry)
                    if os.path.isfile(full):
                        with open(full, "rb") as f:
                            h.update(entry.encode() + hashlib.sha256(f.read()).digest())
            else:
                h.update(item.encode())
    return h.hexdigest()


def run_cases(python, cases, env=None, case_timeout=60, nvidia=False, observer=OBSERVER):
    """Observations of each case under `python`, by case id, in one observer
    process until a case kills it or runs past case_timeout seconds.
    `observer`: the script that runs them (observe.py's protocol).  NVIDIA's
    are kept in $CB_NVIDIA_OBSERVATIONS (default ~/.cache/cuda-bindings-c/
    observations) by what they depend on, so the sanitized run and later
    runs ask NVIDIA's package once."""
    if nvidia:
        folder = os.environ.get("CB_NVIDIA_OBSERVATIONS") or os.path.join(
            os.path.expanduser("~"), ".cache", "cuda-bindings-c", "observations")
        path = os.path.join(folder, _cache_key(python, cases, env, observer) + ".json")
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        got = _run_cases(python, cases, env, case_timeout, nvidia, observer)
        try:
            os.makedirs(folder, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=folder, delete=False) as f:
                json.dump(got, f)
            os.replace(f.name, path)
        except OSError:   # a read-only home: asked again next time
            pass
        return got
    return _run_cases(python, cases, env, case_timeout, nvidia, observer)


def _run_cases(python, cases, env, case_timeout, nvidia, observer):
    full_env = nvidia_env() if nvidia else dict(os.environ)
    full_env.update(env or {})
    got = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cases.json")
        with open(path, "w") as f:
            json.dump(cases, f)
        first = 0
        while first < len(cases):
            first = observe_from(python, path, cases, first, full_env, tmp, case_timeout, got, observer)
    return got


def observe_from(python, path, cases, first, env, cwd, case_timeout, got, observer=OBSERVER):
    """One observer process from case `first`; returns where the next must
    start (past the case it died or hung on, which is recorded)."""
    proc = subprocess.Popen([python, "-P", observer, path, str(first)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cwd)
    i = first
    buf = b""
    deadline = time.monotonic() + case_timeout
    while i < len(cases):
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            proc.kill()
            proc.wait()
            got[cases[i]["id"]] = {"crash": "hung past %d s" % case_timeout}
            return i + 1
        chunk = os.read(proc.stdout.fileno(), 1 << 16)
        if not chunk:
            code = proc.wait()
            tail = proc.stderr.read().decode(errors="replace")[-500:]
            got[cases[i]["id"]] = {"crash": "exit %d" % code if code >= 0 else "signal %d" % -code,
                                   "stderr": tail}
            return i + 1
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            seen = json.loads(line)
            got[seen.pop("id")] = seen
            i += 1
            deadline = time.monotonic() + case_timeout
    proc.stdout.close()
    proc.stderr.close()
    proc.wait()
    return i


# A value that raises while converted, for the cases of bad input (a case's prelude defines it).
EXPLODING = """
class Exploding:
    def __bool__(self):
        raise ZeroDivisionError("converted")
    def __index__(self):
        raise ZeroDivisionError("converted")
    def __int__(self):
        raise ZeroDivisionError("converted")
"""


def or_fail(observe):
    """observe()'s observations; where NVIDIA's side cannot be had (RuntimeError), the test fails:
    no NVIDIA package to ask is a failure, not a skip."""
    import pytest
    try:
        return observe()
    except RuntimeError as e:
        pytest.fail(str(e))


def unaddressed(seen):
    """Observations with the addresses in object texts (`<... object at 0x7f...>`) masked."""
    return json.loads(re.sub(r"0x[0-9a-f]{6,}", "0x?", json.dumps(seen)))


def comparable(seen):
    """An observation less what is never compared: exception messages (the
    reviewed table's first entry: ours words some more clearly), and which
    signal killed a side (under AddressSanitizer a segfault aborts)."""
    seen = {k: v for k, v in seen.items() if k not in ("message", "stderr")}
    if seen.get("crash", "").startswith("signal "):
        seen["crash"] = "signal"
    return seen


def differences(cases, nvidia, ours, table):
    """[(case, nvidia's observation, ours)] for every case that differs and
    that no entry of the reviewed table allows."""
    found = []
    for case in cases:
        theirs, mine = nvidia.get(case["id"]), ours.get(case["id"])
        if comparable(theirs) == comparable(mine):
            continue
        if any(entry.allows(case, theirs, mine) for entry in table):
            continue
        found.append((case, theirs, mine))
    return found


def report(found, limit=40):
    """The differences as text, one case to a paragraph."""
    lines = ["%d cases differ from NVIDIA's cuda-bindings %s:" % (len(found), NVIDIA_VERSION)]
    for case, theirs, mine in found[:limit]:
        lines += ["", "case %s:" % case["id"], "  " + case["code"].replace("\n", "\n  "),
                  "  NVIDIA: " + json.dumps(theirs)[:600], "  ours:   " + json.dumps(mine)[:600]]
    if len(found) > limit:
        lines.append("... and %d more" % (len(found) - limit))
    return "\n".join(lines)


class Deliberate:
    """One reviewed difference: the cases whose id matches `cases` (a regular
    expression) may differ as `check(nvidia, ours)` says, for `reason`."""

    def __init__(self, cases, check, reason):
        self.cases = re.compile(cases)
        self.check = check
        self.reason = reason

    def allows(self, case, nvidia, ours):
        return bool(self.cases.fullmatch(case["id"])) and bool(self.check(nvidia, ours))

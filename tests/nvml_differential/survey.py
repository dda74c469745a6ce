"""Writes what one side's cuda.bindings.nvml does on every NVML case against
the fake libnvidia-ml (by default NVIDIA's, the survey the NVML work reads):

    python tests/nvml_differential/survey.py OUT.json [--python PY] [--header nvml.h] [--build DIR]

OUT.json: {case id: observation + its code (+ the fake's settings)},
the cases of cases.all_cases and cases.absent_cases (the latter with no
libnvidia-ml on the path).  --python: the interpreter of the side
(default: the differential harness's NVIDIA side, $CB_NVIDIA_PYTHON)."""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), os.path.join(os.path.dirname(HERE), "nvml_fake")]

import build  # noqa: E402
from differential import harness  # noqa: E402
from nvml_differential import cases  # noqa: E402

OBSERVER = os.path.join(HERE, "observe_nvml.py")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--python", help="the side's interpreter (default: NVIDIA's side)")
    parser.add_argument("--header", default=build.find_nvml_header(), help="nvml.h")
    parser.add_argument("--build", help="where the fake is built (default: a temporary folder)")
    args = parser.parse_args(argv)
    if not args.header:
        parser.error("no nvml.h found: pass --header or set $NVML_H")
    python = args.python or harness.nvidia_python()
    nvidia = args.python is None
    with tempfile.TemporaryDirectory(prefix="fake-nvml-") as tmp:
        lib = build.build(args.header, args.build or os.path.join(tmp, "build"))
        env = {"LD_LIBRARY_PATH": lib, "CUDA_VISIBLE_DEVICES": ""}
        api = cases.Api(cases.reference_api(), cases.discover(python, env), args.header)
        case_list = cases.all_cases(api)
        seen = harness.run_cases(python, case_list, env, nvidia=nvidia, observer=OBSERVER)
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        absent = cases.absent_cases()
        seen.update(harness.run_cases(python, absent, {"LD_LIBRARY_PATH": empty}, nvidia=nvidia, observer=OBSERVER))
    out = {}
    for c in case_list + absent:
        out[c["id"]] = dict(seen[c["id"]], code=c["code"], **({"fake": c["fake"]} if "fake" in c else {}))
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    print("%s: %d cases" % (args.out, len(out)))


if __name__ == "__main__":
    main()

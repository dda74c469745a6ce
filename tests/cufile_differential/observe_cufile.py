"""The differential observer (differential/observe.py) with cuda.bindings.cufile
in the cases' namespace, as `cufile` (and the driver, for CUresult)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # run with -P
from differential import observe  # noqa: E402

observe.MODULES = ("cufile", "driver")

if __name__ == "__main__":
    observe.main()

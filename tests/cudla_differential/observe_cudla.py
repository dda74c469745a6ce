"""The differential observer (differential/observe.py) with cuda.bindings.cudla
in the cases' namespace, as `cudla`."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # run with -P
from differential import observe  # noqa: E402

observe.MODULES = ("cudla",)

if __name__ == "__main__":
    observe.main()

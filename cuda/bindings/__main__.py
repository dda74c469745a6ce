"""`python -m cuda.bindings`: the self-check (see _selfcheck.py)."""
import sys

from cuda.bindings._selfcheck import main

sys.exit(main())

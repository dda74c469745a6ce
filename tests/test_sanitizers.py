"""The whole CPU suite against a build with AddressSanitizer and
UndefinedBehaviorSanitizer (.ci/sanitizers): no report, every test as it
passes without them."""
import os
import shutil
import subprocess

import pytest
from helpers import ROOT


@pytest.mark.skipif(os.environ.get("CB_SANITIZED") is not None, reason="already the sanitized run")
def test_suite_is_clean_under_asan_and_ubsan(tmp_path):
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        pytest.skip("no C compiler")
    asan = subprocess.run([cc, "-print-file-name=libasan.so"], capture_output=True, text=True).stdout.strip()
    if not os.path.isabs(asan):
        pytest.skip("%s has no AddressSanitizer runtime" % cc)
    env = dict(os.environ, SANITIZER_BUILD=str(tmp_path / "sanitized"))
    r = subprocess.run([os.path.join(ROOT, ".ci", "sanitizers")], capture_output=True, text=True, env=env,
                       timeout=1800)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    assert " passed" in r.stdout and "AddressSanitizer" not in r.stdout and "runtime error:" not in r.stdout

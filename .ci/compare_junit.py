#!/usr/bin/env python3
"""Compare two pytest JUnit XML reports of the same suite test by test.

    compare_junit.py NVIDIA.xml OURS.xml [--out REPORT.txt]

Prints: counts per outcome on each side; of the tests that pass on the first
(NVIDIA's package), how many pass on the second (ours); and the name and
message of each that does not.  Exit status 0 always (the figures are the
result).
"""
import argparse
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    """{test id: (outcome, message)}; outcome in passed/failed/error/skipped."""
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = "%s::%s" % (case.get("classname", ""), case.get("name", ""))
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            el = case.find(tag)
            if el is not None:
                outcome = {"failure": "failed"}.get(tag, tag)
                message = (el.get("message") or el.text or "").strip().splitlines()
                message = message[0][:300] if message else ""
                break
        out[name] = (outcome, message)
    return out


def tally(results):
    counts = {}
    for outcome, _ in results.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return ", ".join("%s %d" % kv for kv in sorted(counts.items()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference")
    ap.add_argument("ours")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    ref, ours = outcomes(args.reference), outcomes(args.ours)
    lines = ["reference (NVIDIA's): %d tests: %s" % (len(ref), tally(ref)),
             "ours:                 %d tests: %s" % (len(ours), tally(ours))]
    passed_ref = [t for t, (o, _) in ref.items() if o == "passed"]
    also = [t for t in passed_ref if ours.get(t, ("missing", ""))[0] == "passed"]
    ratio = 100.0 * len(also) / len(passed_ref) if passed_ref else 0.0
    lines.append("of the %d that pass on NVIDIA's, %d pass on ours (%.2f%%)" % (len(passed_ref), len(also), ratio))
    ran = [t for t in passed_ref if t in ours]   # a run cut short by a time limit leaves some out
    if len(ran) != len(passed_ref):
        lines.append("of the %d of those that ran on ours too, %d pass (%.2f%%)" % (
            len(ran), len(also), 100.0 * len(also) / len(ran) if ran else 0.0))
    for t in passed_ref:
        o, msg = ours.get(t, ("missing", "not run on ours"))
        if o != "passed":
            lines.append("  NOT ON OURS [%s] %s: %s" % (o, t, msg))
    gained = [t for t, (o, _) in ours.items() if o == "passed" and ref.get(t, ("missing",))[0] != "passed"]
    lines.append("pass on ours but not on NVIDIA's: %d" % len(gained))
    lines += ["  %s (NVIDIA's: %s)" % (t, ref.get(t, ("missing",))[0]) for t in gained[:50]]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

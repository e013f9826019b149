"""Times nucagree's speed workloads (issue 19) beside hotcoco's, whole processes in alternation.

Workloads, on the real corrected NuCLS set (../shared/data/nucls-corrected):
  score      `nucagree score --shape box` against simulated box predictions (1,000 bootstrap
             replicates, no --out), alternated with hotcoco computing COCO AP at one level on
             the same files (../shared/bench/hotcoco);
  score0     the same with --bootstrap 0;
  agree      `nucagree agree` on ten simulated raters (SP.1-3, JP.1, NP.1-6) with the defaults;
  agree0     the same with --bootstrap 0 --raters-needed-draws 0;
  python     `score` from Python (`nucagree.score(truth, pred, shape="box")` in a fresh
             interpreter, import included) alternated with the command line, with the
             interpreter given by --python (one where `pip install ./python` put nucagree).

The inputs are simulated once, if missing, with `nucagree simulate --from`. Standard library
only. Build first, release:

    cargo build --release
    cargo build --release --manifest-path ../shared/bench/hotcoco/Cargo.toml --target-dir ../hotcoco-target
    python3 benches/speed.py [--runs 7] [--work /tmp/nucagree-speed] [WORKLOAD ...]

prints, per workload, each run's wall time, the median, and the peak resident memory.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("NUCAGREE_SHARED", os.path.join(ROOT, "..", "shared"))
REAL = os.path.join(SHARED, "data", "nucls-corrected")
NUCAGREE = os.path.join(ROOT, "target", "release", "nucagree")
HOTCOCO = os.path.join(ROOT, "..", "hotcoco-target", "release", "peer-hotcoco")

DESIGN = """[design]
raters = [
  { id = "SP.1", profile = "senior_pathologist" },
  { id = "SP.2", profile = "senior_pathologist" },
  { id = "SP.3", profile = "senior_pathologist" },
  { id = "JP.1", profile = "junior_pathologist" },
  { id = "NP.1", profile = "non_pathologist" },
  { id = "NP.2", profile = "non_pathologist" },
  { id = "NP.3", profile = "non_pathologist" },
  { id = "NP.4", profile = "non_pathologist" },
  { id = "NP.5", profile = "non_pathologist" },
  { id = "NP.6", profile = "non_pathologist" },
]
"""


def run(command):
    """Wall seconds and peak resident memory (MB) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024.0


def prepare(work):
    predictions = os.path.join(work, "predictions", "predictions")
    if not os.path.isdir(predictions):
        subprocess.run(
            [NUCAGREE, "simulate", "--from", REAL, "--out", os.path.join(work, "predictions"),
             "--sets", "predictions", "--rater-fovs", "0"],
            check=True, stdout=subprocess.DEVNULL)
    study = os.path.join(work, "raters", "multi-rater")
    if not os.path.isdir(study):
        design = os.path.join(work, "design10.toml")
        os.makedirs(work, exist_ok=True)
        with open(design, "w") as f:
            f.write(DESIGN)
        subprocess.run(
            [NUCAGREE, "simulate", "--from", REAL, "--out", os.path.join(work, "raters"),
             "--sets", "multi-rater", "--rater-fovs", "all", "--config", design],
            check=True, stdout=subprocess.DEVNULL)
    return predictions, study


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", default="/tmp/nucagree-speed")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter of the python workload")
    parser.add_argument("workloads", nargs="*", default=["score", "score0", "agree", "agree0"])
    args = parser.parse_args()
    needed = [NUCAGREE] + ([HOTCOCO] if "score" in args.workloads else [])
    for binary in needed:
        if not os.path.exists(binary):
            sys.exit(f"{binary} is missing: build it first (see this script's doc)")
    predictions, study = prepare(args.work)
    score = [NUCAGREE, "score", "--truth", REAL, "--pred", predictions, "--shape", "box", "--quiet"]
    agree = [NUCAGREE, "agree", study, "--quiet"]
    workloads = {
        "score": [("nucagree", score),
                  ("hotcoco", [HOTCOCO, "--truth", REAL, "--pred", predictions,
                               "--level", "super", "--json"])],
        "score0": [("nucagree", score + ["--bootstrap", "0"])],
        "agree": [("nucagree", agree)],
        "agree0": [("nucagree", agree + ["--bootstrap", "0", "--raters-needed-draws", "0"])],
        "python": [("nucagree", score),
                   ("python", [args.python, "-c",
                               "import nucagree; nucagree.score(%r, %r, shape='box')"
                               % (REAL, predictions)])],
    }
    for name in args.workloads:
        programs = workloads[name]
        times = {label: [] for label, _ in programs}
        peaks = {label: 0.0 for label, _ in programs}
        for _ in range(args.runs):
            # Alternated, so that the machine's drift touches every program alike.
            for label, command in programs:
                wall, _ = run(command)
                times[label].append(wall)
        for label, command in programs:
            # Peak memory from one more run on its own (getrusage keeps the children's maximum).
            peaks[label] = measure_peak(command)
            runs = ", ".join(f"{t:.3f}" for t in times[label])
            print(f"{name:7} {label:9} median {statistics.median(times[label]):.3f} s "
                  f"(runs: {runs}); peak {peaks[label]:.0f} MB")


def measure_peak(command):
    """Peak resident memory of one run, read by /usr/bin/time when present."""
    if os.path.exists("/usr/bin/time"):
        result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, check=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return int(result.stderr.strip().splitlines()[-1]) / 1024.0
    return run(command)[1]


if __name__ == "__main__":
    main()

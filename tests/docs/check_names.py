#!/usr/bin/env python3
"""Docs and code agree: every option docs/harness.md names is an option of `harness --help`, every
option docs/analyze.md names is one of `analyze --help` (other programs' options they mention are
listed below, by program), and every LB_* variable any document names (docs/*.md, README.md) is
read somewhere in the code or scripts. Prints each name that does not exist and exits 1 if there is
one.
Usage: check_names.py REPO_ROOT HARNESS ANALYZE
"""
import os
import pathlib
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])--([a-z][a-z0-9_-]*)")
VARIABLE = re.compile(r"\bLB_[A-Z][A-Z0-9_]*\b")
# Options of other programs that the two documents mention, with the program.
OTHERS = {
    "docs/harness.md": {"kill-on-bad-exit": "srun", "signal": "sbatch", "no-python": "torchrun",
                        "nproc_per_node": "torchrun", "harness-profile": "bench/gpu_profile.py"},
    "docs/analyze.md": {"benchmark_filter": "google/benchmark", "eval-every": "harness", "repeat": "harness",
                        "epochs": "harness", "build": "bench/analyze_scale.sh"},
}
CODE_SUFFIXES = {".sh", ".py", ".cpp", ".h", ".c", ".txt", ".cmake", ".json", ".in"}


def help_options(program):
    text = subprocess.run([program, "--help"], capture_output=True, text=True, check=True).stdout
    return set(OPTION.findall(text))


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-1])
        return 2
    root, harness, analyze = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    problems = []
    for doc, program in (("docs/harness.md", harness), ("docs/analyze.md", analyze)):
        known = help_options(program) | set(OTHERS[doc])
        for name in sorted(set(OPTION.findall((root / doc).read_text()))):
            if name not in known:
                problems.append(f"{doc}: --{name} is not an option of {pathlib.Path(program).name}")
    code = []
    for folder, dirs, files in os.walk(root):
        rel_folder = pathlib.Path(folder).relative_to(root).as_posix()
        dirs[:] = [d for d in dirs if not (rel_folder == "." and d in ("build", "docs", ".device", ".git"))
                   and d != "node_modules"]
        for name in files:
            path = pathlib.Path(folder) / name
            if path.suffix in CODE_SUFFIXES and path.resolve() != pathlib.Path(__file__).resolve():
                code.append(path.read_text(errors="replace"))
    code_text = "\n".join(code)
    docs = sorted(root.glob("docs/*.md")) + [root / "README.md"]
    for doc in docs:
        for name in sorted(set(VARIABLE.findall(doc.read_text()))):
            if not re.search(r"\b" + name + r"\b", code_text):
                problems.append(f"{doc.relative_to(root)}: {name} is read nowhere in the code or scripts")
    for p in problems:
        print(p)
    print(f"check_names: {len(problems)} name(s) in the docs that the code does not have")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

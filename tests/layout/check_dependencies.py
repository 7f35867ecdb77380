#!/usr/bin/env python3
"""Checks that #include dependencies run one way (docs/architecture.md, "Dependencies").

Each source folder has a layer; a file may include headers of its own folder and of folders in
lower layers only. Prints every include against the flow and exits 1 if there is one.
Usage: check_dependencies.py [REPO_ROOT]
"""
import os
import pathlib
import re
import sys

# (folder prefix, layer): the longest matching prefix decides. Higher layers may include lower ones.
LAYERS = [
    ("common/", 0),
    ("kernels/", 1),
    ("harness/util/", 1),
    ("harness/energy/", 2),
    ("harness/data/", 2),
    ("harness/model/", 2),
    ("harness/record/", 2),
    ("harness/dist/", 2),
    ("harness/train/", 3),
    ("harness/cli/", 4),
    ("harness/main.cpp", 5),
    ("harness/build_info.h", 0),
    ("analysis/input/", 1),
    ("analysis/compare/", 2),
    ("charts/", 3),
    ("charts/chart_data.h", 1),  # plain data: the contract between the comparison and the chart writers
    ("analysis/report/", 4),
    ("analysis/watch/", 4),  # analyze --watch: beside report, under the app; reads common/, input/ and charts' Plotly
    ("analysis/", 5),  # the app: cli, analyze_app, main
]
# Folders that must never see each other, whatever their layers.
SEPARATE = [("harness/", ("analysis/", "charts/")), ("analysis/", ("harness/", "kernels/")),
            ("charts/", ("harness/", "kernels/", "analysis/")), ("common/", ("harness/", "analysis/", "charts/", "kernels/"))]
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def place(path):
    best = None
    for prefix, layer in LAYERS:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best


def folder(path):
    return path.rsplit("/", 1)[0] + "/" if "/" in path else ""


def sources(root):
    """Every file under root but the build trees (which may hold mounted roots), .git and node_modules."""
    for folder, dirs, files in os.walk(root):
        top = pathlib.Path(folder) == root
        dirs[:] = [d for d in dirs if not (top and d in ("build", ".git", ".device")) and d != "node_modules"]
        for name in files:
            yield pathlib.Path(folder) / name


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    problems = []
    for src in sorted(sources(root)):
        rel = src.relative_to(root).as_posix()
        if src.suffix not in (".h", ".cpp", ".cu", ".hip") or rel.startswith(("build/", "tests/", "bench/")) or "node_modules" in rel:
            continue
        me = place(rel)
        if me is None:
            continue
        for inc in INCLUDE.findall(src.read_text(errors="replace")):
            for mine, others in SEPARATE:
                if rel.startswith(mine) and inc.startswith(others):
                    problems.append(f"{rel}: includes {inc} (a {mine} file must not depend on {', '.join(others)})")
            target = place(inc)
            if target is None or folder(inc) == folder(rel):
                continue
            if target[1] >= me[1] and not (target[0] == me[0]):
                problems.append(f"{rel} ({me[0]}, layer {me[1]}) includes {inc} ({target[0]}, layer {target[1]}): against the flow")
    for p in problems:
        print(p)
    print(f"check_dependencies: {len(problems)} include(s) against the flow")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

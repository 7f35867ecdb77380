#!/usr/bin/env python3
"""The layout checkers can fail: each is run on a small tree with one violation (and on the same
tree without it) and must tell them apart.
Usage: test_checks.py"""
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def run(script, root):
    return subprocess.run([sys.executable, str(HERE / script), str(root)], capture_output=True, text=True)


def tree(files):
    d = tempfile.TemporaryDirectory()
    for name, text in files.items():
        p = pathlib.Path(d.name) / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return d


def main():
    cases = [
        ("check_device_generic.py", {"harness/util/device.cpp": "#include <c10/cuda/CUDAStream.h>\n"}),
        ("check_device_generic.py", {"harness/dist/x.cpp": "#if defined(USE_ROCM)\n#endif\n"}),
        ("check_device_generic.py", {"harness/train/device_step_graph.h": "#include <ATen/cuda/CUDAGraph.h>\n"}),
        ("check_dependencies.py", {"harness/util/x.cpp": '#include "harness/train/trainer.h"\n'}),
    ]
    clean = {"kernels/k.cpp": "#include <hip/hip_runtime.h>\n", "harness/train/t.cpp": '#include "harness/util/x.h"\n',
             "harness/train/device_step_graph.cpp": "#include <ATen/cuda/CUDAGraph.h>\n"}
    failures = 0
    for script, bad in cases:
        with tree({**clean, **bad}) as d:
            r = run(script, d)
            if r.returncode != 1:
                print(f"FAIL {script} missed {list(bad)}: {r.stdout}")
                failures += 1
        with tree(clean) as d:
            r = run(script, d)
            if r.returncode != 0:
                print(f"FAIL {script} refused a clean tree: {r.stdout}")
                failures += 1
    print(f"layout checkers: {2 * len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# The whole test suite: install (with the test packages), build the `cpu` preset, run every test
# through ctest. Exits non-zero on any failure, and when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
./quickstart.sh --setup-only --with-tests
ctest --preset cpu "$@"

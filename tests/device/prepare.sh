#!/usr/bin/env bash
# Run HERE (a Debian machine with package access) before tests/device/gpu_check.sh runs on a GPU
# machine that has none: fetches the header-only libraries the harness needs (cxxopts,
# nlohmann/json) as Debian packages and unpacks them into .device/deps (git-ignored), the folder to
# carry to the GPU machine. Nothing is installed on this machine.
#   tests/device/prepare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.device/deps
rm -rf "$out" .device/debs
mkdir -p "$out" .device/debs
(cd .device/debs && apt-get download -qq libcxxopts-dev nlohmann-json3-dev)
for deb in .device/debs/*.deb; do dpkg-deb -x "$deb" "$out"; done
rm -rf .device/debs
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >>.git/info/exclude
echo "tests/device/prepare.sh: headers in $out/usr/include ($(du -sh "$out" | cut -f1)); carry '.device' to the GPU machine"

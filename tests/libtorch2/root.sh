#!/usr/bin/env bash
# Makes (once) and enters the Debian roots where the harness is built against LibTorch 2.x: LUMI and
# the GPU machines run LibTorch 2.x, Debian 12 has 1.13. cpu and cuda are Debian 13 (LibTorch 2.6,
# CPU and CUDA); next is Debian unstable (LibTorch 2.14, CMake 4, GCC 16), the newest LibTorch,
# CMake and compiler Debian has, past the GPU machine's PyTorch 2.11 and CMake 4.4. The host's own
# packages and sources are never touched: a root is made with debootstrap from the host's Debian
# mirror and kept under build/roots/ between runs.
#   tests/libtorch2/root.sh ensure cpu|cuda|next      make or update the root (cuda: a copy of cpu plus CUDA LibTorch)
#   tests/libtorch2/root.sh run cpu|cuda|next CMD...  run CMD in the root, the repository mounted at /src
# Needs root (debootstrap, chroot, mounts). Prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
roots=$repo/build/roots

log() { echo "libtorch2: $*" >&2; }
die() { echo "libtorch2: error: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot and bind mounts)"

# The Debian mirror the host already uses (deb822 or one-line sources), so no address is written here.
debian_mirror() {
  local codename uri=""
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri=$(awk -v c="$codename" '/^URIs:/ {u = $2} /^Suites:/ {for (i = 2; i <= NF; i++) if ($i == c && u != "") {print u; exit}}' \
          /etc/apt/sources.list.d/*.sources)
  fi
  if [[ -z $uri && -f /etc/apt/sources.list ]]; then
    uri=$(awk -v c="$codename" '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i == c) {print $(i - 1); exit}}' /etc/apt/sources.list)
  fi
  [[ -n $uri ]] || die "cannot find the host's Debian mirror in /etc/apt/sources.list{,.d}"
  echo "$uri"
}

mounted=()
unmount_all() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  mounted=()
}
trap unmount_all EXIT
mount_into() {  # mount_into ROOT: proc, dev, shm, the repository at /src
  local root=$1
  mkdir -p "$root/src" "$root/dev/shm"
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount --bind /dev "$root/dev" && mounted+=("$root/dev")
  mount -t tmpfs -o size=4g tmpfs "$root/dev/shm" && mounted+=("$root/dev/shm")
  mount --bind "$repo" "$root/src" && mounted+=("$root/src")
}

install_list() {  # install_list ROOT LIST...: install what is missing from the lists
  local root=$1
  shift
  local pkgs
  pkgs=$(grep -hv '^\s*#' "$@" | awk 'NF {print $1}' | sort -u | tr '\n' ' ')
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
}

# ensure_base SUITE LIST: the root build/roots/SUITE-cpu with LIST's packages.
ensure_base() {
  local suite=$1 list=$2 root=$roots/$1-cpu t0=$SECONDS
  if [[ ! -f $root/.lb-bootstrapped ]]; then
    command -v debootstrap >/dev/null || die "debootstrap is missing (cmake/packages/tests.txt)"
    rm -rf "$root"
    mkdir -p "$roots"
    log "debootstrap --variant=minbase $suite (once per machine)"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$(debian_mirror)" >/dev/null
    echo "deb $(debian_mirror) $suite main contrib non-free" >"$root/etc/apt/sources.list"
    # unstable's Release file is valid for a week only, and a mirror frozen longer than that (as
    # this workplace's can be) would be refused as expired; its signature is still checked.
    [[ $suite == sid ]] && echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/90lb-mirror"
    touch "$root/.lb-bootstrapped"
    log "debootstrap took $((SECONDS - t0)) s"
  fi
  if ! cmp -s "$list" "$root/.lb-packages"; then
    local t1=$SECONDS
    log "installing LibTorch, torchvision and the build tools into the $suite root"
    chroot "$root" apt-get update -qq >/dev/null
    install_list "$root" "$list"
    cp "$list" "$root/.lb-packages"
    log "packages took $((SECONDS - t1)) s"
  fi
}

ensure_cpu() { ensure_base trixie cmake/packages/trixie/libtorch2.txt; }
ensure_next() { ensure_base sid cmake/packages/sid/libtorch2.txt; }
ensure_cuda() {
  ensure_cpu
  local base=$roots/trixie-cpu root=$roots/trixie-cuda list=cmake/packages/trixie/libtorch2-cuda.txt
  if ! cmp -s "$list" "$root/.lb-cuda-packages" || [[ $base/.lb-packages -nt $root/.lb-cuda-packages ]]; then
    local t0=$SECONDS
    rm -rf "$root"
    log "copying the root and installing LibTorch 2.6 for CUDA with its toolkit (large download)"
    cp -a "$base" "$root"
    chroot "$root" apt-get update -qq >/dev/null
    if ! install_list "$root" "$list" 2>"$roots/cuda-install.log"; then
      # Debian's nvidia-cudnn downloads cuDNN from NVIDIA when it is configured, which a machine
      # limited to Debian's mirror cannot do. cuDNN is only needed to run: the check compiles and
      # links, so its installer is skipped and the link leaves cuDNN's symbols to run time.
      [[ -f $root/var/lib/dpkg/info/nvidia-cudnn.postinst ]] || { cat "$roots/cuda-install.log" >&2; die "installing the CUDA packages failed"; }
      log "cuDNN cannot be downloaded here (nvidia-cudnn fetches it from NVIDIA): skipping it, compile and link only"
      printf '#!/bin/sh\nexit 0\n' >"$root/var/lib/dpkg/info/nvidia-cudnn.postinst"
      chroot "$root" env DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null
    fi
    cp "$list" "$root/.lb-cuda-packages"
    log "the cuda root took $((SECONDS - t0)) s"
  fi
}

cmd=${1:-}
flavour=${2:-cpu}
case "$flavour" in
  cpu) root=$roots/trixie-cpu ;;
  cuda) root=$roots/trixie-cuda ;;
  next) root=$roots/sid-cpu ;;
  *) die "unknown root '$flavour' (expected cpu, cuda or next)" ;;
esac
case "$cmd" in
  ensure) "ensure_$flavour" ;;
  run)
    shift 2
    "ensure_$flavour"
    cp /etc/hosts "$root/etc/hosts"  # the machine's own name must resolve inside (c10d's store)
    mount_into "$root"
    # The same OpenBLAS settings as the host's, so every LibTorch version is tested alike.
    chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      ${OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE} ${OPENBLAS_L2_SIZE:+OPENBLAS_L2_SIZE=$OPENBLAS_L2_SIZE} \
      CCACHE_DIR=/root/.ccache bash -c 'cd /src && "$@"' bash "$@"
    ;;
  *) die "usage: tests/libtorch2/root.sh ensure|run cpu|cuda|next [CMD...]" ;;
esac

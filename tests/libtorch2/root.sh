#!/usr/bin/env bash
# Makes (once) and enters Debian 13 roots where the harness is built against LibTorch 2.6: LUMI runs
# LibTorch 2.x, Debian 12 has 1.13. The host's own packages and sources are never touched: the root
# is made with debootstrap from the host's Debian mirror and kept under build/roots/ between runs.
#   tests/libtorch2/root.sh ensure cpu|cuda      make or update the root (cuda: a copy plus CUDA LibTorch)
#   tests/libtorch2/root.sh run cpu|cuda CMD...  run CMD in the root, the repository mounted at /src
# Needs root (debootstrap, chroot, mounts). Prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
roots=$repo/build/roots
suite=trixie

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

ensure_cpu() {
  local root=$roots/$suite-cpu list=cmake/packages/trixie/libtorch2.txt t0=$SECONDS
  if [[ ! -f $root/.lb-bootstrapped ]]; then
    command -v debootstrap >/dev/null || die "debootstrap is missing (cmake/packages/tests.txt)"
    rm -rf "$root"
    mkdir -p "$roots"
    log "debootstrap --variant=minbase $suite (once per machine)"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$(debian_mirror)" >/dev/null
    echo "deb $(debian_mirror) $suite main contrib non-free" >"$root/etc/apt/sources.list"
    touch "$root/.lb-bootstrapped"
    log "debootstrap took $((SECONDS - t0)) s"
  fi
  if ! cmp -s "$list" "$root/.lb-packages"; then
    local t1=$SECONDS
    log "installing LibTorch 2.6, torchvision and the build tools into the root"
    chroot "$root" apt-get update -qq >/dev/null
    install_list "$root" "$list"
    cp "$list" "$root/.lb-packages"
    log "packages took $((SECONDS - t1)) s"
  fi
}

ensure_cuda() {
  ensure_cpu
  local base=$roots/$suite-cpu root=$roots/$suite-cuda list=cmake/packages/trixie/libtorch2-cuda.txt
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
case "$flavour" in cpu|cuda) ;; *) die "unknown root '$flavour' (expected cpu or cuda)" ;; esac
case "$cmd" in
  ensure) "ensure_$flavour" ;;
  run)
    shift 2
    "ensure_$flavour"
    root=$roots/$suite-$flavour
    cp /etc/hosts "$root/etc/hosts"  # the machine's own name must resolve inside (c10d's store)
    mount_into "$root"
    # The same OpenBLAS settings as the host's, so both LibTorch versions are tested alike.
    chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      ${OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE} ${OPENBLAS_L2_SIZE:+OPENBLAS_L2_SIZE=$OPENBLAS_L2_SIZE} \
      CCACHE_DIR=/root/.ccache bash -c 'cd /src && "$@"' bash "$@"
    ;;
  *) die "usage: tests/libtorch2/root.sh ensure|run cpu|cuda [CMD...]" ;;
esac

#!/usr/bin/env bash
# ibmig set-up on Debian 12. Installs only the packages that are missing, builds, then:
#   ./setup.sh run    build and simulate the bundled reference scenario (default)
#   ./setup.sh test   build and run the whole test suite (what CI runs)
#   ./setup.sh deps   only install packages
# Needs root (or sudo) the first time, to install packages.
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-run}
case "$mode" in
  run | test | deps) ;;
  *)
    echo "setup.sh: unknown mode '$mode' (expected run, test or deps)" >&2
    exit 2
    ;;
esac

# Build and simulator: compiler, CMake, SimGrid (pkg-config), Boost.Graph, nlohmann_json, GoogleTest.
pkgs=(g++ cmake make pkg-config libsimgrid-dev libboost-graph-dev nlohmann-json3-dev libgtest-dev googletest)
# Verbs code path (emulation/rdma): rdma-core and its tools.
pkgs+=(libibverbs-dev librdmacm-dev rdma-core ibverbs-utils ibverbs-providers perftest)
# Emulated cluster: namespaces, shaping, real GlusterFS, FUSE, ping with don't-fragment, qemu-img for libgfapi.
pkgs+=(iproute2 iputils-ping procps util-linux glusterfs-server glusterfs-client fuse3 qemu-utils qemu-block-extra)
# Soft-RoCE guests: QEMU (TCG), a busybox initramfs; cpio to pack it; ruby to syntax-check vagrant/.
pkgs+=(qemu-system-x86 busybox-static cpio kmod ruby)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
[ "$mode" = deps ] && exit 0

build=${IBMIG_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)"

case "$mode" in
  run)
    "$build/ibmig" simulate scenarios/reference.json
    ;;
  test)
    # Guest image for the soft-RoCE tests (cached; rebuilt only when a package version changes).
    emulation/rdma/build-guest-image.sh "$build/guest"
    ctest --test-dir "$build" --output-on-failure -j 2 --timeout 900
    ;;
esac

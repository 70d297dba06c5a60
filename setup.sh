#!/usr/bin/env bash
# ibmig set-up on Debian 12. Installs only the packages that are missing, builds, then:
#   ./setup.sh run    build and simulate the bundled reference scenario (default)
#   ./setup.sh test   build (warnings as errors) and run the whole test suite, then the non-root tests and the
#                     fuzzers under ASan+UBSan in build-asan (what CI runs; stage times at the end)
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
# Gluster's --xml output (pugixml) and the command lines of the three binaries (CLI11, header-only).
pkgs+=(libpugixml-dev libcli11-dev)
# Verbs code path (emulation/rdma): rdma-core and its tools.
pkgs+=(libibverbs-dev librdmacm-dev rdma-core ibverbs-utils ibverbs-providers perftest)
# Emulated cluster: namespaces, shaping, real GlusterFS, FUSE, ping with don't-fragment, qemu-img for libgfapi.
pkgs+=(iproute2 iputils-ping procps util-linux glusterfs-server glusterfs-client fuse3 qemu-utils qemu-block-extra)
# Soft-RoCE guests: QEMU (TCG), a busybox initramfs; cpio to pack it; ruby to syntax-check vagrant/.
pkgs+=(qemu-system-x86 busybox-static cpio kmod ruby)
# ibmig lab: an sshd per emulated node (on its VM-bridge address, inside its namespace) and the client, keys by
# ssh-keygen (emulation/lab/README.md); tmux for the lesson's two windows (and its test, a scripted trainee).
pkgs+=(openssh-server openssh-client tmux)
# iperf3 and fio: what ibmig calibrate reads (tests/models/inputs/calibration/make-samples.sh measures its samples),
# and iperf3 checks an emulated link's stream limit (tests/emulation/link_shaping_e2e_test.cpp).
pkgs+=(iperf3 fio)
# ibmig report --html and simulate/emulate --html: Graphviz's dot draws the topology, gnuplot the charts.
pkgs+=(graphviz gnuplot-nox)
# The tests of ibmig runbook (not needed to run it): ansible-playbook --syntax-check of the playbooks it writes
# (tests/cli/test_cli_runbook.cpp), and their checks run on this machine (tests/models/test_runbook.cpp).
[ "$mode" = run ] || pkgs+=(ansible)
# The test that opens the HTML report in headless Chromium (tests/cli/test_html_browser.cpp, label browser).
[ "$mode" = run ] || pkgs+=(chromium)
# The Slurm test of ibmig sweep (tests/cli/test_sweep_slurm.sh, not needed to run a sweep): a single-node Slurm and
# munge of its own in a temporary directory.
[ "$mode" = run ] || pkgs+=(slurm-wlm munge)
# The sanitizer and fuzzer build of the tests (not needed to run): clang, its ASan/UBSan/libFuzzer runtimes, and
# llvm-symbolizer for readable reports.
[ "$mode" = run ] || pkgs+=(clang libclang-rt-14-dev llvm-14)

t_packages=$SECONDS
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
if [ "$mode" = run ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "$(nproc)"
  "$build/ibmig" simulate scenarios/reference.json
  exit 0
fi

# test: every stage runs even when one fails; each prints its time, and the summary lists them all.
stages=() failed=()
stage() {
  local name=$1 t0=$SECONDS status=0
  shift
  echo "=== stage: $name"
  "$@" || status=$?
  local line
  line=$(printf '%-58s %4d s  %s' "$name" $((SECONDS - t0)) "$([ $status -eq 0 ] && echo ok || echo "FAILED ($status)")")
  echo "=== $line"
  stages+=("$line")
  [ $status -eq 0 ] || failed+=("$name")
}
release() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DIBMIG_WERROR=ON >/dev/null && cmake --build "$build" -j "$(nproc)"
}
# The sanitizer build: clang, ASan+UBSan on all of the project's code, the libFuzzer harness.
asan=${IBMIG_ASAN_BUILD_DIR:-build-asan}
# -O1 and line tables only: 18% less compile CPU than -O2 -g, reports still name file:line; no NDEBUG, so the
# JSON library's own assertions are on.
sanitizer_build() {
  CC=clang CXX=clang++ cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DIBMIG_SANITIZE=ON -DIBMIG_FUZZ=ON >/dev/null &&
    cmake --build "$asan" -j "$(nproc)"
}
# The fuzzers' summary lines: ctest prints a passing test's output only to its log.
fuzz_summary() {
  echo "=== fuzzers in $1:"
  grep -hE 'scenarios, [0-9]+ findings|^simulated:|with clashing names|DONE +cov:|stat::number_of_executed_units' \
    "$1/Testing/Temporary/LastTest.log" 2>/dev/null | cut -c1-200 | sed 's/^/    /' || true
}
# Stricter than the defaults: use-after-return and initialisation order too; LSan is on (ASan's default).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] && export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

stages+=("$(printf '%-58s %4d s  %s' "packages (apt-get, only the missing ones)" $((SECONDS - t_packages)) ok)")
stage "build: Release, warnings as errors (gcc)" release
# Guest image for the soft-RoCE tests (cached; rebuilt only when a package version changes).
stage "guest image" emulation/rdma/build-guest-image.sh "$build/guest"
stage "tests: all but the fuzzers (Release)" ctest --test-dir "$build" --output-on-failure -j 2 --timeout 900 -LE fuzz
stage "semantic fuzzer, bounded (Release)" ctest --test-dir "$build" --output-on-failure --timeout 900 -L fuzz
fuzz_summary "$build"
stage "build: ASan+UBSan and libFuzzer (clang)" sanitizer_build
stage "tests under ASan+UBSan: non-root, both fuzzers bounded" \
  ctest --test-dir "$asan" --output-on-failure -j 2 --timeout 900 -LE 'root|fuse|guest'
fuzz_summary "$asan"
echo "=== stage times, $(nproc) cores:"
printf '    %s\n' "${stages[@]}" "$(printf '%-58s %4d s' total "$SECONDS")"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'setup: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi

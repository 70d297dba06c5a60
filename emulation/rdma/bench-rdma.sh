#!/usr/bin/env bash
# Soft-RoCE benchmark: in one run on the same three guests, perftest's ib_write_bw (client -> one server), then
# ibmig-rdma-write with R=1 and R=2 (client -> both servers), repeated ROUNDS times (medians reported, because two
# host cores shared with other work make single figures noisy), then the replicated write latency.
#   emulation/rdma/bench-rdma.sh BUILD_DIR [BYTES] [ROUNDS]      (as root; 64MiB, 3 rounds by default)
# BYTES carries its unit, as every size in ibmig does: 64MiB, 256MiB, 1GB (a bare number is refused).
# Prints the figures on stderr and keeps the full JSON report in BUILD_DIR/rdma-bench.json.
set -euo pipefail
build=$(cd "${1:?usage: bench-rdma.sh BUILD_DIR [BYTES] [ROUNDS]}" && pwd)
bytes=${2:-64MiB}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
"$here/build-guest-image.sh" "$build/guest" "$build" >&2
status=0
"$build/ibmig-rdma-plane" --image "$build/guest" --perftest --rounds "$rounds" --replicas 2 --bytes "$bytes" \
  --timeout $((120 + 60 * rounds)) >"$build/rdma-bench.json" ||
  status=$?
echo "full report: $build/rdma-bench.json" >&2
exit "$status"

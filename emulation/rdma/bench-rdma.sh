#!/usr/bin/env bash
# Soft-RoCE benchmark: in one run on the same three guests, perftest's ib_write_bw (client -> one server), then
# ibmig-rdma-write with R=1 and R=2 (client -> both servers), then the replicated write latency.
#   emulation/rdma/bench-rdma.sh BUILD_DIR [BYTES]      (as root; BYTES defaults to 64MiB)
# Prints the figures on stderr and keeps the full JSON report in BUILD_DIR/rdma-bench.json.
set -euo pipefail
build=$(cd "${1:?usage: bench-rdma.sh BUILD_DIR [BYTES]}" && pwd)
bytes=${2:-64MiB}
here=$(cd "$(dirname "$0")" && pwd)
"$here/build-guest-image.sh" "$build/guest" "$build" >&2
status=0
"$build/ibmig-rdma-plane" --image "$build/guest" --perftest --replicas 2 --bytes "$bytes" >"$build/rdma-bench.json" ||
  status=$?
echo "full report: $build/rdma-bench.json" >&2
exit "$status"

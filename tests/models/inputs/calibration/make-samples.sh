#!/usr/bin/env bash
# Measures the calibration samples of this folder on this machine (root): the inputs `ibmig calibrate` reads.
#   tests/models/inputs/calibration/make-samples.sh BUILD_DIR [OUT_DIR]     (OUT_DIR: this folder)
# 1. iperf3 -J -P 1 and -P 4 between two namespaces of its own joined by a veth pair shaped with tbf to 2 Gbit/s,
#    at MTU 65520 and at MTU 2044 (the IPoIB connected and datagram stand-ins of the emulator).
# 2. fio --output-format=json: 256 MiB written, then read, in 1 MiB blocks on a file in a tmpfs of its own (the
#    emulator's bricks live in a tmpfs too), direct=0.
# 3. `BUILD_DIR/ibmig emulate two-node-1gbe.json --time-scale 1 --json emulate-two-node-1gbe.json`: a real
#    GlusterFS on 2 emulated nodes over a 1 Gbit/s link; during its 150 s wait step, iperf3 -P 1 / -P 4 from n1 to
#    n2 and dd through n1's FUSE mount at bs 4k, 16k, 64k and 1M (conv=fdatasync), in the emulated nodes'
#    namespaces. The emulator tears its cluster down itself (and on SIGINT/SIGTERM); this script tears down what
#    it created (namespaces, veths, the tmpfs) on any exit.
# Every command is bounded by `timeout`; traffic goes only to namespaces this script or its emulate run created.
set -euo pipefail
build=$(cd "${1:?usage: make-samples.sh BUILD_DIR [OUT_DIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${2:-$here}" && pwd)
[ "$(id -u)" -eq 0 ] || {
  echo "make-samples.sh: needs root (namespaces, tc, mounts)" >&2
  exit 2
}
for tool in iperf3 fio dd ip tc nsenter; do
  command -v "$tool" >/dev/null || {
    echo "make-samples.sh: $tool is missing (setup.sh installs it)" >&2
    exit 2
  }
done

tag="ibmig-cal-$$"
work="/var/tmp/$tag"
state="/run/$tag" # the emulate run's state directory: its own, so no other run is ever touched
emu_pid=""
cleanup() {
  set +e
  [ -n "$emu_pid" ] && kill -TERM "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  ip netns del "$tag-a" 2>/dev/null
  ip netns del "$tag-b" 2>/dev/null
  mountpoint -q "$work/fio" && umount "$work/fio"
  rm -rf "$work"
  [ -d "$state" ] && [ -z "$(ls -A "$state" 2>/dev/null)" ] && rmdir "$state"
  [ -d "$state" ] && "$build/ibmig" emulate --cleanup --state-dir "$state"
  [ -d "$state" ] && [ -z "$(ls -A "$state" 2>/dev/null)" ] && rmdir "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work" "$state"
echo "make-samples.sh: $(date -u +%FT%TZ) on $(hostname), $(nproc) cores, kernel $(uname -r)" >&2

# --- 1. iperf3 over a tbf-shaped veth pair ----------------------------------------------------------------
ip netns add "$tag-a"
ip netns add "$tag-b"
ip link add "cal$$a" type veth peer name "cal$$b"
ip link set "cal$$a" netns "$tag-a" name ib0
ip link set "cal$$b" netns "$tag-b" name ib0
ip -n "$tag-a" addr add 10.99.0.1/24 dev ib0
ip -n "$tag-b" addr add 10.99.0.2/24 dev ib0
for ns in "$tag-a" "$tag-b"; do
  ip -n "$ns" link set lo up
  ip -n "$ns" link set ib0 up
  # The emulator's shaping (emulation/cluster/cluster.cpp tbf_arguments): 2 Gbit/s, burst rate/250 >= 512 KiB.
  tc -n "$ns" qdisc add dev ib0 root tbf rate 2000000000bit burst 1000000 latency 20ms
done
iperf_pair() { # NS_CLIENT NS_SERVER ADDRESS STREAMS OUTFILE
  timeout 30 ip netns exec "$2" iperf3 -s -1 -p 5299 >/dev/null 2>&1 &
  local server=$!
  sleep 1
  timeout 30 ip netns exec "$1" iperf3 -c "$3" -p 5299 -J -t 5 -P "$4" >"$5"
  wait "$server" || true
}
for mtu in 65520 2044; do
  ip -n "$tag-a" link set ib0 mtu $mtu
  ip -n "$tag-b" link set ib0 mtu $mtu
  for p in 1 4; do
    iperf_pair "$tag-a" "$tag-b" 10.99.0.2 $p "$out/iperf3-veth-2gbit-mtu$mtu-P$p.json"
    echo "  iperf3 MTU $mtu -P $p: $(grep -m1 -A8 '"sum_received"' "$out/iperf3-veth-2gbit-mtu$mtu-P$p.json" |
      grep bits_per_second)" >&2
  done
done
ip netns del "$tag-a"
ip netns del "$tag-b"

# --- 2. fio on a tmpfs ----------------------------------------------------------------------------------------
mkdir -p "$work/fio"
mount -t tmpfs -o size=300m "$tag" "$work/fio"
timeout 120 fio --output-format=json --directory="$work/fio" --size=256M --bs=1M --ioengine=psync --direct=0 \
  --name=seqwrite --rw=write --end_fsync=1 --name=seqread --stonewall --rw=read --filename=seqwrite.0.0 \
  >"$out/fio-tmpfs-256MiB.json"
umount "$work/fio"

# --- 3. ibmig emulate, with iperf3 and dd in its wait step -------------------------------------------------
log="$work/emulate.log"
"$build/ibmig" emulate "$here/two-node-1gbe.json" --time-scale 1 --state-dir "$state" \
  --json "$out/emulate-two-node-1gbe.json" >"$work/emulate.out" 2>"$log" &
emu_pid=$!
for i in $(seq 1 300); do # the wait step starts when the step before it is logged
  grep -q '\] Large ping:' "$log" && break
  kill -0 "$emu_pid" 2>/dev/null || break
  sleep 1
done
grep -q '\] Large ping: ok' "$log" || {
  cat "$log" >&2
  echo "make-samples.sh: the emulated cluster did not reach its wait step" >&2
  exit 1
}
run=$(basename "$(ls "$state"/ibmig-*.json | head -1)" .json)
in_node() { # NODE COMMAND...: in the node's network and mount namespaces, like the emulator itself; 60 s at most
  local node=$1
  shift
  timeout 60 nsenter --mount="$state/$run/$node.mnt" --net="/run/netns/$run-$node" "$@"
}
in_node n2 iperf3 -s -1 -p 5299 >/dev/null 2>&1 &
sleep 1
in_node n1 iperf3 -c gl2.cal.example -p 5299 -J -t 5 -P 1 >"$out/iperf3-emulated-1gbe-P1.json"
wait $! || true
in_node n2 iperf3 -s -1 -p 5299 >/dev/null 2>&1 &
sleep 1
in_node n1 iperf3 -c gl2.cal.example -p 5299 -J -t 5 -P 4 >"$out/iperf3-emulated-1gbe-P4.json"
wait $! || true
mnt=$(in_node n1 findmnt -n -t fuse.glusterfs -o TARGET | head -1)
[ -n "$mnt" ] || {
  echo "make-samples.sh: no Gluster FUSE mount on n1" >&2
  exit 1
}
for spec in 4k:16384 16k:8192 64k:4096 1M:512; do
  bs=${spec%%:*}
  count=${spec##*:}
  f="$out/dd-gluster-fuse-bs$bs.txt"
  cmd="dd if=/dev/zero of=$mnt/dd-$bs bs=$bs count=$count conv=fdatasync"
  echo "\$ $cmd" >"$f"
  in_node n1 $cmd 2>>"$f"
  in_node n1 rm -f "$mnt/dd-$bs"
  echo "  dd bs=$bs: $(tail -1 "$f")" >&2
done
wait "$emu_pid" && status=0 || status=$?
emu_pid=""
cp "$work/emulate.out" "$out/emulate-two-node-1gbe.txt"
echo "make-samples.sh: ibmig emulate exited $status; $(grep -c . "$log") log lines" >&2
tail -20 "$log" >&2

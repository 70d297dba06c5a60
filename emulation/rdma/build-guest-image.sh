#!/usr/bin/env bash
# Builds the soft-RoCE guest image: a Debian kernel and a busybox initramfs with rdma-core, perftest, iproute2's
# `ip`/`rdma`, iputils' `ping` and the project's verbs binaries.
#   emulation/rdma/build-guest-image.sh OUTDIR [BUILD_DIR]
# OUTDIR receives vmlinuz, initramfs.cpio and stamp. BUILD_DIR holds the project's binaries (ibmig-rdma-write);
# it defaults to OUTDIR/.. because setup.sh calls this script as `build-guest-image.sh "$build/guest"`.
# Everything comes from Debian packages through apt: the kernel is fetched with `apt-get download`, userspace is
# copied from the installed packages listed in setup.sh. The image is rebuilt only when a package version, the
# project's binaries or this script change (OUTDIR/stamp).
set -euo pipefail

out=${1:?usage: build-guest-image.sh OUTDIR [BUILD_DIR]}
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=${2:-$out/..}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

die() { echo "build-guest-image: $*" >&2; exit 1; }

resolve_kernel() {
  apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1
}
kernel_pkg=$(resolve_kernel)
# A fresh machine may have no package lists yet (setup.sh updates them only when it installs something).
if [ -z "$kernel_pkg" ] && [ "$(id -u)" -eq 0 ]; then
  apt-get update -q >/dev/null
  kernel_pkg=$(resolve_kernel)
fi
[ -n "$kernel_pkg" ] || die "cannot resolve the kernel package linux-image-amd64 depends on (run apt-get update)"
kernel_version=$(apt-cache policy "$kernel_pkg" | sed -n 's/^ *Candidate: //p')
kver=${kernel_pkg#linux-image-}

# Userspace programs copied into the guest, with the packages they come from (their versions go into the stamp).
userspace_pkgs=(busybox-static rdma-core ibverbs-providers ibverbs-utils perftest iproute2 iputils-ping libc6 libgcc-s1)
programs=(/usr/bin/ibv_devinfo /usr/bin/ib_write_bw /usr/bin/ib_send_lat /usr/bin/rdma /usr/bin/ping)
project_bins=(ibmig-rdma-write)
for b in "${project_bins[@]}"; do [ -x "$build/$b" ] || die "missing $build/$b: build the project first"; done

stamp_text() {
  echo "kernel $kernel_pkg $kernel_version"
  dpkg-query -W -f='${Package} ${Version}\n' "${userspace_pkgs[@]}"
  sha256sum "$0" "$here/guest-init.sh" | cut -d' ' -f1
  for b in "${project_bins[@]}"; do sha256sum "$build/$b" | cut -d' ' -f1; done
}
new_stamp=$(stamp_text)
if [ -f "$out/stamp" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initramfs.cpio" ] && [ "$(cat "$out/stamp")" = "$new_stamp" ]; then
  echo "build-guest-image: $out is up to date"
  exit 0
fi

work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Kernel and modules: keep the downloaded .deb as a cache between runs.
deb=$(ls "$out"/"${kernel_pkg}"_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ] || [[ "$deb" != *"_${kernel_version}_"* ]]; then
  rm -f "$out"/linux-image-*.deb
  (cd "$out" && apt-get download "$kernel_pkg" 2>&1 | grep -v 'Download is performed unsandboxed' || true)
  deb=$(ls "$out"/"${kernel_pkg}"_*.deb 2>/dev/null | head -1 || true)
  [ -n "$deb" ] || die "apt-get download $kernel_pkg failed"
fi
dpkg -x "$deb" "$work/kernel"
depmod -b "$work/kernel" "$kver"

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/libibverbs.d,proc,sys,dev,tmp,run,ibmig}

# Modules with their dependencies, in load order (rdma_rxe needs crc32_generic for its ICRC).
modules=(virtio_pci virtio_net crc32_generic rdma_rxe ib_uverbs rdma_ucm sch_netem)
: >"$root/etc/modules.order"
for m in "${modules[@]}"; do
  modprobe -d "$work/kernel" -S "$kver" --show-depends "$m" | while read -r kind path _; do
    [ "$kind" = insmod ] || continue
    rel=${path#"$work/kernel"}
    grep -qx "$rel" "$root/etc/modules.order" && continue
    mkdir -p "$root$(dirname "$rel")"
    cp "$path" "$root$rel"
    echo "$rel" >>"$root/etc/modules.order"
  done
done
[ -s "$root/etc/modules.order" ] || die "no modules resolved from $kernel_pkg"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"

cp /bin/busybox "$root/bin/busybox"
# Copy a file and the shared libraries it needs, keeping their paths (resolved with ldd).
copy_with_libs() {
  local f=$1 dest=${2:-$1}
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$f" "$root$dest"
  { ldd "$f" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
for p in "${programs[@]}"; do copy_with_libs "$p"; done
# iproute2's ip lives in /usr/sbin so busybox's applet (in /bin) cannot be mistaken for it: call it by full path.
copy_with_libs /usr/bin/ip /usr/sbin/ip
copy_with_libs /usr/lib/x86_64-linux-gnu/libibverbs/librxe-rdmav34.so
cp /etc/libibverbs.d/rxe.driver "$root/etc/libibverbs.d/"
# libgcc_s is loaded with dlopen by pthread_cancel and C++ unwinding; rping and friends abort without it.
copy_with_libs "$(readlink -f /lib/x86_64-linux-gnu/libgcc_s.so.1)" /lib/x86_64-linux-gnu/libgcc_s.so.1
for b in "${project_bins[@]}"; do copy_with_libs "$build/$b" "/usr/bin/$b"; done

install -m 0755 "$here/guest-init.sh" "$root/init"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) >"$work/initramfs.cpio"

mv "$work/vmlinuz" "$out/vmlinuz"
mv "$work/initramfs.cpio" "$out/initramfs.cpio"
echo "$new_stamp" >"$out/stamp"
echo "build-guest-image: built $out (kernel $kernel_pkg $kernel_version, initramfs $(du -h "$out/initramfs.cpio" | cut -f1))"

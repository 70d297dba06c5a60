#!/bin/busybox sh
# /init of the soft-RoCE guest. Loads the modules listed by build-guest-image.sh, runs /ibmig/job.sh (added by the
# launcher as a second cpio archive) with its output on the second serial port, then writes an exit marker there
# and reboots, which ends QEMU (-no-reboot). The first serial port keeps the kernel console for debugging.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp && mount -t tmpfs tmpfs /tmp
while read -r m; do insmod "$m" || echo "init: insmod $m failed"; done </etc/modules.order
/usr/sbin/ip link set lo up
out=/dev/ttyS1
if [ -f /ibmig/job.sh ]; then
  echo "@@ibmig-begin" >$out
  sh /ibmig/job.sh >$out 2>&1 </dev/null
  rc=$?
else
  echo "init: no /ibmig/job.sh" >$out
  rc=127
fi
echo "@@ibmig-exit $rc" >$out
sync
reboot -f

#!/usr/bin/env bash
# Installs every Debian package the tests run a tool from (the one list; test/helpers/tools.ts maps
# each tool to its package and a test checks that each is named here). Run as root or with sudo:
#   sudo scripts/install-test-tools.sh
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  dosfstools   # mkfs.vfat
  mtools       # mcopy, mmd, mdel, mdeltree, mdir
  ntfs-3g      # mkntfs, ntfs-3g, ntfsundelete
  exfatprogs   # mkfs.exfat
  exfat-fuse   # mount.exfat-fuse
  fuse3        # fusermount, fusermount3
  nbdkit       # nbdkit
  libnbd-bin   # nbdfuse (Debian 12), nbdcopy
  sleuthkit    # fls, tsk_recover, mmls
  gddrescue    # ddrescue, ddrescuelog
  mount        # losetup
  openssl      # openssl
  qemu-utils   # qemu-img
  ewf-tools    # ewfacquire, ewfverify, ewfinfo
  python3      # python3
  libxml2-utils # xmllint (report.dfxml against the DFXML schema)
  chromium     # chromium (report.html rendered headless)
  bsdutils     # script (a pseudo-terminal for the Ctrl-C test)
  libhivex-bin python3-hivex  # hivexsh; the hivex module test/fs/regf builds hives with
  make g++     # the native addon (npm ci builds it)
)
apt-get update
# From Debian 13 on nbdfuse is a package of its own.
if apt-cache show nbdfuse >/dev/null 2>&1; then packages+=(nbdfuse); fi
apt-get install -y --no-install-recommends "${packages[@]}"

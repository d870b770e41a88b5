#!/usr/bin/env bash
# Builds the NTFS test images from containers laid out like ../shared/samples (the tests pass a
# tree made by the project's writer, test/helpers/fixture-tree.ts; the real samples work too).
#   make.sh <outdir> [samples-dir]
# a.img  16 MiB, 4 KiB clusters: live containers, deleted ones (resident and non-resident
#        header.key), a deleted container inside a deleted folder, Cyrillic folder names.
# b.img  16 MiB, 512-byte clusters, same kind of content, then the first 16 $MFT records and
#        the $MFTMirr zeroed: only FILE records found by a linear pass still describe the files.
# Needs mkntfs, ntfs-3g (FUSE), fusermount. Prints nothing on success.
set -euo pipefail
out=${1:?outdir}
S=${2:-/work/shared/samples}
mkdir -p "$out"
mnt=$(mktemp -d)
cleanup() { mountpoint -q "$mnt" && fusermount -u "$mnt"; rmdir "$mnt" 2>/dev/null || true; }
trap cleanup EXIT

mk() { # img clustersize
  rm -f "$1"; truncate -s 16M "$1"
  mkntfs -F -Q -q -s 512 -c "$2" -L KEYS "$1" >/dev/null 2>&1
  ntfs-3g "$1" "$mnt"
}
umnt() { sync; fusermount -u "$mnt"; }

mk "$out/a.img" 4096
cp -r "$S/91team_cryptopro/srv.000" "$mnt/"                         # header 1438: non-resident, live
mkdir "$mnt/Клиенты"
cp -r "$S/dbfun_cryptopro/bundle-cyrillic/obnokykb.000" "$mnt/Клиенты/" # 1149, live, nested
cp -r "$S/dbfun_cryptopro/bundle-no-pin/le-22951.000" "$mnt/"        # header 110: resident, live
cp -r "$S/kov-serg_get-cpcert/g2001.000" "$mnt/"                      # 996: non-resident, deleted
cp -r "$S/dbfun_cryptopro/bundle-pin/le-09650.000" "$mnt/"            # 116: resident, deleted
mkdir "$mnt/Архив"
cp -r "$S/waves-enterprise_cryptopro-sign/test.000" "$mnt/Архив/"     # 884, deleted with its parent
umnt
ntfs-3g "$out/a.img" "$mnt"
rm -r "$mnt/g2001.000" "$mnt/le-09650.000" "$mnt/Архив"
umnt

mk "$out/b.img" 512
cp -r "$S/svkreml_ExtractPkey/00000000.000" "$mnt/"                   # 1234 + user.crt
cp -r "$S/dbfun_cryptopro/bundle-cosign/e4ac4ef8.000" "$mnt/"         # 1033
cp -r "$S/kov-serg_get-cpcert/g2012512.000" "$mnt/"                   # 1073, 512-bit primary (68)
umnt
ntfs-3g "$out/b.img" "$mnt"
rm -r "$mnt/e4ac4ef8.000"
umnt
# Damage: zero $MFT records 0-15 (root folder included) and the mirror.
u() { od -An -t "u$2" -j "$1" -N "$2" "$out/b.img" | tr -d ' \n'; }
spc=$(u 13 1); mft=$(u 48 8); mirr=$(u 56 8)
dd if=/dev/zero of="$out/b.img" bs=512 seek=$((mft * spc)) count=32 conv=notrunc status=none
dd if=/dev/zero of="$out/b.img" bs=512 seek=$((mirr * spc)) count=8 conv=notrunc status=none

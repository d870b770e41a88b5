#!/usr/bin/env bash
# Builds the NTFS test images and prints keycarve vs The Sleuth Kit vs ntfsundelete, case by case.
#   scripts/ntfs-images/compare.sh [outdir]   (images are kept in outdir when given)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$(mktemp -d)}
"$here/make.sh" "$out"
cd "$here/../.."
npx tsx scripts/ntfs-images/compare.ts "$out"
[ -n "${1:-}" ] || rm -rf "$out"

#!/usr/bin/env bash
# Makes the root file system of localhost/paperpod/base: Debian minbase from debootstrap (no image can be pulled
# on our build machines). The image's content hash covers this file, the mirror and the suite.
# Usage: rootfs.sh <target-dir> <mirror> <suite>
set -euo pipefail
root=$1 mirror=$2 suite=$3

debootstrap --variant=minbase "$suite" "$root" "$mirror"
# The image's locale (LANG=C.UTF-8) in an archive: without one, every program that sets its locale at start (bash,
# python, …) looks for each of its 12 categories under C.UTF-8, then C.utf8 — 24 opens, 12 maps — where the
# archive is one; `bash main.sh` took ~13 % less CPU (docs/benchmarks.md).
chroot "$root" localedef --add-to-archive /usr/lib/locale/C.utf8
# Later layers install from the same mirror.
printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" >"$root/etc/apt/sources.list"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

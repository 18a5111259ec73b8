#!/usr/bin/env bash
# Builds PaperPod's sandbox images locally; no image can be pulled on our build machines.
#
#   localhost/paperpod/base  Debian bookworm minbase from debootstrap, imported into Podman
#   localhost/paperpod/test  base + the runtimes the fast tests need (sh, python3, node, a JRE for the agent)
#
# Idempotent: every image carries the label dev.paperpod.hash, a hash of what it is built from,
# and is skipped when an image with that hash already exists. Usage: build-images.sh [base|test|all]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../podman-env.sh"

mirror=${PAPERPOD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
label=dev.paperpod.hash

log() { printf '[images] %s\n' "$*" >&2; }

content_hash() { # files and strings that define an image -> short sha256
  { for f in "$@"; do if [ -f "$f" ]; then cat "$f"; else printf '%s' "$f"; fi; done; } | sha256sum | cut -c1-16
}

current_hash() {
  pp_podman image inspect "$1" --format "{{ index .Labels \"$label\" }}" 2>/dev/null || true
}

build_base() {
  local image=localhost/paperpod/base
  local hash
  hash=$(content_hash "$here/build-images.sh" "$mirror" "$suite")
  if [ "$(current_hash "$image")" = "$hash" ]; then
    log "$image is up to date ($hash)"
    echo "$hash"
    return
  fi
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  local root
  root=$(mktemp -d /var/tmp/paperpod-rootfs.XXXXXX)
  trap 'rm -rf "$root"' RETURN
  log "debootstrap $suite from $mirror (about 30 s)"
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -20 "$root.log" >&2
    exit 1
  }
  rm -f "$root.log"
  # Keep apt lean inside images and let later layers use the same mirror.
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" >"$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  log "importing $image"
  tar -C "$root" -c . | pp_podman import --quiet \
    --change "LABEL $label=$hash" \
    --change "ENV LANG=C.UTF-8" \
    --change "CMD [\"/bin/bash\"]" \
    - "$image" >/dev/null
  log "$image built ($hash)"
  echo "$hash"
}

build_layer() { # name, parent hash
  local name=$1 parent=$2
  local image=localhost/paperpod/$name dir=$here/$name
  local hash
  hash=$(content_hash "$parent" "$dir/Containerfile")
  if [ "$(current_hash "$image")" = "$hash" ]; then
    log "$image is up to date ($hash)"
    return
  fi
  log "building $image"
  pp_podman build --quiet --label "$label=$hash" -t "$image" -f "$dir/Containerfile" "$dir" >/dev/null
  log "$image built ($hash)"
}

what=${1:-all}
base_hash=$(build_base)
case "$what" in
  base) ;;
  test | all) build_layer test "$base_hash" ;;
  *) log "unknown image '$what' (base|test|all)"; exit 2 ;;
esac

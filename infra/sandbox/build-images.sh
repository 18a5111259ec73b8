#!/usr/bin/env bash
# Builds PaperPod's sandbox images locally; no image can be pulled on our build machines.
#
#   localhost/paperpod/base  Debian bookworm minbase from debootstrap (base/rootfs.sh), imported into Podman
#   localhost/paperpod/test  base + the runtimes the fast tests need (sh, python3, node, a JRE for the agent)
#   localhost/paperpod/full  base + 50+ tools, trusting the host's CA bundle (the image PaperPod ships)
#
# Idempotent: every image carries the label dev.paperpod.hash, a hash of what it is built from,
# and is skipped when an image with that hash already exists.
# Usage: build-images.sh [base|test|full|all]      build what is missing or stale (all = test and full)
#        build-images.sh --check [test|full|all]   only say whether the images are up to date (exit 1 if not)
# PAPERPOD_CA_BUNDLE: the CA bundle the full image trusts (default: the host's /etc/ssl/certs/ca-certificates.crt)
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

base_wanted() { content_hash "$here/base/rootfs.sh" "$mirror" "$suite"; }
ca_bundle=${PAPERPOD_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
layer_inputs() { # the files a layer is built from, beside its Containerfile
  case "$1" in full) echo "$ca_bundle" ;; esac
}
layer_wanted() { content_hash "$(base_wanted)" "$here/$1/Containerfile" $(layer_inputs "$1"); }

build_base() {
  local image=localhost/paperpod/base
  local hash
  hash=$(base_wanted)
  if [ "$(current_hash "$image")" = "$hash" ]; then
    log "$image is up to date ($hash)"
    echo "$hash"
    return
  fi
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  local root
  root=$(mktemp -d /var/tmp/paperpod-rootfs.XXXXXX)
  trap 'rm -rf "$root" "$root.log"' RETURN
  log "debootstrap $suite from $mirror (about 30 s)"
  bash "$here/base/rootfs.sh" "$root" "$mirror" "$suite" >"$root.log" 2>&1 || {
    tail -20 "$root.log" >&2
    exit 1
  }
  log "importing $image"
  tar -C "$root" -c . | pp_podman import --quiet \
    --change "LABEL $label=$hash" \
    --change "ENV LANG=C.UTF-8" \
    --change "CMD [\"/bin/bash\"]" \
    - "$image" >/dev/null
  log "$image built ($hash)"
  echo "$hash"
}

build_layer() { # name
  local name=$1
  local image=localhost/paperpod/$name dir=$here/$name
  local hash
  hash=$(layer_wanted "$name")
  if [ "$(current_hash "$image")" = "$hash" ]; then
    log "$image is up to date ($hash)"
    return
  fi
  log "building $image"
  local context
  context=$(mktemp -d /var/tmp/paperpod-context.XXXXXX)
  cp "$dir/Containerfile" "$context/"
  if [ "$name" = full ]; then
    [ -f "$ca_bundle" ] || { log "CA bundle $ca_bundle not found: set PAPERPOD_CA_BUNDLE"; exit 1; }
    cp "$ca_bundle" "$context/ca-bundle.crt"
  fi
  pp_podman build --quiet --label "$label=$hash" -t "$image" -f "$context/Containerfile" "$context" >/dev/null || {
    rm -rf "$context"
    exit 1
  }
  rm -rf "$context"
  log "$image built ($hash)"
}

if [ "${1:-}" = "--check" ]; then
  stale=0
  names=${2:-test}
  [ "$names" = all ] && names="test full"
  for name in base $names; do
    want=$( [ "$name" = base ] && base_wanted || layer_wanted "$name")
    have=$(current_hash "localhost/paperpod/$name")
    if [ -z "$have" ]; then
      echo "localhost/paperpod/$name is missing"; stale=1
    elif [ "$have" != "$want" ]; then
      echo "localhost/paperpod/$name is stale (built from $have, sources now $want)"; stale=1
    fi
  done
  exit $stale
fi

what=${1:-all}
build_base >/dev/null
case "$what" in
  base) ;;
  test) build_layer test ;;
  full) build_layer full ;;
  all) build_layer test && build_layer full ;;
  *) log "unknown image '$what' (base|test|full|all)"; exit 2 ;;
esac

#!/usr/bin/env bash
# Builds PaperPod's sandbox images locally; no image can be pulled on our build machines.
#
#   localhost/paperpod/base  Debian bookworm minbase from debootstrap (base/rootfs.sh), imported into Podman
#   localhost/paperpod/test  base + the runtimes the fast tests need (sh, python3, node, a JRE for the agent)
#   localhost/paperpod/full  base + 50+ tools, trusting the host's CA bundle (the image PaperPod ships)
#   localhost/paperpod/browser  base + Chromium behind playwright-core's server, for browser jobs; playwright-core and
#                            its Node come from the Playwright for Java driver of pom.xml's version (Maven Central)
#
# Idempotent: every image carries the label dev.paperpod.hash, a hash of what it is built from,
# and is skipped when an image with that hash already exists.
# Usage: build-images.sh [base|test|full|browser|all]...   build what is missing or stale (all = test, full, browser)
#        build-images.sh --check [test|full|browser|all]...   only say whether they are up to date (exit 1 if not)
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
# The Playwright for Java version pom.xml manages: the browser image carries the same playwright-core.
playwright_version() {
  grep -A1 '<artifactId>playwright</artifactId>' "$here/../../pom.xml" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | head -1
}
layer_inputs() { # the files (and words) a layer is built from, beside its Containerfile
  case "$1" in
    full) echo "$ca_bundle" ;;
    browser) echo "$here/browser/browser-server.js" "$here/browser/egress-proxy.js" "playwright-$(playwright_version)" ;;
  esac
}

# A jar of the Playwright for Java driver, from the local Maven repository, fetched from Maven Central when missing.
playwright_jar() { # artifact (driver or driver-bundle)
  local v repo jar
  v=$(playwright_version)
  repo=${PAPERPOD_MAVEN_REPO:-$HOME/.m2/repository}
  jar=$repo/com/microsoft/playwright/$1/$v/$1-$v.jar
  if [ ! -f "$jar" ]; then
    log "fetching com.microsoft.playwright:$1:$v"
    (cd "$here/../.." && ./mvnw -B -q dependency:get -Dartifact="com.microsoft.playwright:$1:$v" -Dtransitive=false) >&2
  fi
  [ -f "$jar" ] || { log "$jar is missing after fetching it"; exit 1; }
  echo "$jar"
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
  if [ "$name" = browser ]; then
    cp "$dir/browser-server.js" "$dir/egress-proxy.js" "$context/"
    (cd "$context" && unzip -q "$(playwright_jar driver)" 'driver/package/*' && mv driver/package playwright-core \
      && unzip -q "$(playwright_jar driver-bundle)" driver/linux/node && mv driver/linux/node node && chmod 755 node \
      && rm -rf driver)
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
  shift
  names=${*:-test}
  names=${names/all/test full browser}
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

build_base >/dev/null
for what in ${*:-all}; do
  case "$what" in
    base) ;;
    test | full | browser) build_layer "$what" ;;
    all) build_layer test && build_layer full && build_layer browser ;;
    *) log "unknown image '$what' (base|test|full|browser|all)"; exit 2 ;;
  esac
done

# Sourced by PaperPod's scripts: how we call Podman on our hosts.
# crun fails on hybrid-cgroup hosts ("cgroups in hybrid mode not supported"), runc with the
# cgroupfs manager works on every host we run on (docs/operations.md), so we always pass both.
PAPERPOD_PODMAN_FLAGS=${PAPERPOD_PODMAN_FLAGS:---runtime runc --cgroup-manager cgroupfs}
PAPERPOD_PODMAN_SOCKET=${PAPERPOD_PODMAN_SOCKET:-/run/podman/podman.sock}

pp_podman() {
  # shellcheck disable=SC2086
  podman $PAPERPOD_PODMAN_FLAGS "$@"
}

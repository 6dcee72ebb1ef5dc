#!/usr/bin/env bash
# Brings up pgkeep's test bed and reuses whatever is already there:
#   - a Docker Engine on /var/run/docker.sock (Debian's docker.io when none answers),
#   - a Podman API service on /run/podman/podman.sock (Debian's podman with runc),
#   - PostgreSQL 15 and 17 images named pgkeep-test/postgres:<ver> in both engines:
#     postgres:<ver> when it can be pulled, else built from Debian packages with debootstrap.
# Built images are cached outside the repository (PGKEEP_BED_CACHE), because CI clones afresh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then cache=${PGKEEP_BED_CACHE:-/var/cache/pgkeep-bed}; else cache=${PGKEEP_BED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgkeep-bed}; fi
docker_sock=/var/run/docker.sock
podman_sock=/run/podman/podman.sock
versions=(15 17)
# The documented opt-out for a machine with one engine: PGKEEP_TEST_ENGINES=docker (or podman).
engines=${PGKEEP_TEST_ENGINES-docker,podman}
engines=${engines// /}
want() { [[ ",$engines," == *",$1,"* ]]; }
declare -A suite=([15]=bookworm [17]=trixie)

say() { printf '[bed] %s\n' "$*" >&2; }
die() { printf '[bed] error: %s\n' "$*" >&2; exit 1; }
# An empty or misspelt selection would bring up no engine and let the suite pass without running.
IFS=, read -ra listed <<<"$engines"
picked=()
for e in "${listed[@]}"; do
  case $e in '') continue ;; docker|podman) picked+=("$e") ;; *) die "PGKEEP_TEST_ENGINES=\"$engines\" names an unknown engine \"$e\"; expected docker, podman or docker,podman, or leave it unset for both" ;; esac
done
[ "${#picked[@]}" -gt 0 ] || die "PGKEEP_TEST_ENGINES is set but empty; expected docker, podman or docker,podman, or leave it unset for both"
answers() { curl -sf --max-time 3 --unix-socket "$1" http://engine/_ping >/dev/null 2>&1; }
wait_for() {
  local sock=$1 log=$2
  for _ in $(seq 1 60); do answers "$sock" && return 0; sleep 0.5; done
  tail -20 "$log" >&2 || true
  die "no engine answered on $sock after 30 s (log: $log)"
}

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 is missing and only root can install it: run 'make test' as root, or install it yourself"
}

install_packages() {
  local missing=()
  want docker && ! answers "$docker_sock" && ! command -v dockerd >/dev/null && missing+=(docker.io)
  want podman && ! command -v podman >/dev/null && missing+=(podman)
  want podman && ! command -v runc >/dev/null && missing+=(runc)
  want podman && [ ! -x /usr/libexec/podman/catatonit ] && missing+=(catatonit) # podman run --init
  want docker && ! command -v iptables >/dev/null && missing+=(iptables)
  command -v curl >/dev/null || missing+=(curl)
  # age encrypts and decrypts backups (encryption: in projects.yml); age-keygen comes with it.
  command -v age >/dev/null || missing+=(age)
  # Needed only when no postgres image can be pulled; root installs it up front, before the
  # images are built in parallel (two apt runs at once would fight over the dpkg lock).
  [ "$(id -u)" = 0 ] && ! command -v debootstrap >/dev/null && missing+=(debootstrap)
  apt_install "${missing[@]}"
}

apt_install() {
  local missing=("$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root "${missing[*]}"
  say "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$cache/logs/apt.log" 2>&1 || die "apt-get update failed (log: $cache/logs/apt.log)"
  apt-get install -y -q --no-install-recommends "${missing[@]}" ca-certificates >>"$cache/logs/apt.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed (log: $cache/logs/apt.log)"
}

start_docker() {
  answers "$docker_sock" && { say "docker engine answers on $docker_sock"; return 0; }
  need_root dockerd
  say "starting dockerd"
  # From /, so the daemon never holds on to a directory that goes away (a CI clone, say).
  (cd / && setsid nohup dockerd --host="unix://$docker_sock" >"$cache/logs/dockerd.log" 2>&1 </dev/null &)
  wait_for "$docker_sock" "$cache/logs/dockerd.log"
}

configure_podman() {
  # crun fails on this machine's hybrid cgroups; containers made through the API need ulimits set
  # here, since no --ulimit flag reaches them.
  local conf=/etc/containers/containers.conf
  grep -qs 'pgkeep test bed' "$conf" && return 0
  mkdir -p /etc/containers
  cat >"$conf" <<'CONF'
# written by pgkeep test bed (test/bed/setup.sh)
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
}

start_podman() {
  # A service started from a since-deleted directory answers pings, but every conmon it spawns
  # fails ("Failed to get working directory"): restart it from /.
  local pid
  for pid in $(pgrep -f 'podman system service' || true); do
    if [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == *"(deleted)"* ]]; then
      say "restarting the podman service: its working directory was deleted"
      kill "$pid" 2>/dev/null || true
      sleep 1
    fi
  done
  answers "$podman_sock" && { say "podman API answers on $podman_sock"; return 0; }
  need_root podman
  configure_podman
  mkdir -p /run/podman
  say "starting podman system service"
  (cd / && setsid nohup podman system service --time=0 "unix://$podman_sock" >"$cache/logs/podman.log" 2>&1 </dev/null &)
  wait_for "$podman_sock" "$cache/logs/podman.log"
}

mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

build_tarball() {
  local ver=$1 tar="$cache/postgres-$1.tar" root="$cache/rootfs-$1"
  [ -s "$tar" ] && return 0
  command -v debootstrap >/dev/null || die "no postgres:$ver image could be pulled, and building one needs debootstrap: install it (apt-get install debootstrap)"
  say "building PostgreSQL $ver from Debian ${suite[$ver]} (about a minute)"
  rm -rf "$root"
  debootstrap --variant=minbase --include="postgresql-$ver" "${suite[$ver]}" "$root" "$(mirror)" \
    >"$cache/logs/debootstrap-$ver.log" 2>&1 || die "debootstrap for PostgreSQL $ver failed (log: $cache/logs/debootstrap-$ver.log)"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  install -m 0755 "$here/entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  tar -C "$root" -cf "$tar.partial" . && mv "$tar.partial" "$tar"
  rm -rf "$root"
}

import_changes() {
  local ver=$1
  printf '%s\n' \
    "ENV PATH=/usr/lib/postgresql/$ver/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV PGDATA=/var/lib/postgresql/data" \
    'CMD ["/usr/local/bin/docker-entrypoint.sh"]'
}

provide_image() {
  local ver=$1
  want docker && docker_image "$ver"
  want podman && podman_image "$ver"
  return 0
}

docker_image() {
  local ver=$1 name="pgkeep-test/postgres:$1" changes=()
  docker -H "unix://$docker_sock" image inspect "$name" >/dev/null 2>&1 && return 0
  if timeout 60 docker -H "unix://$docker_sock" pull -q "postgres:$ver" >/dev/null 2>&1; then
    docker -H "unix://$docker_sock" tag "postgres:$ver" "$name"
    return 0
  fi
  build_tarball "$ver"
  say "importing $name into docker"
  read_changes "$ver"
  docker -H "unix://$docker_sock" import "${changes[@]}" "$cache/postgres-$ver.tar" "$name" >/dev/null
}

podman_image() {
  local ver=$1 name="pgkeep-test/postgres:$1" changes=()
  podman image exists "$name" && return 0
  say "importing $name into podman"
  if [ ! -s "$cache/postgres-$ver.tar" ] && want docker && docker -H "unix://$docker_sock" image inspect "$name" >/dev/null 2>&1; then
    docker -H "unix://$docker_sock" save "$name" | podman load -q >/dev/null
    return 0
  fi
  if [ ! -s "$cache/postgres-$ver.tar" ] && timeout 60 podman pull -q "docker.io/library/postgres:$ver" >/dev/null 2>&1; then
    podman tag "docker.io/library/postgres:$ver" "$name"
    return 0
  fi
  build_tarball "$ver"
  read_changes "$ver"
  podman import -q "${changes[@]}" "$cache/postgres-$ver.tar" "$name" >/dev/null
}

# Fills the caller's `changes` array with the image settings an imported rootfs lacks.
read_changes() {
  local line
  while IFS= read -r line; do changes+=(-c "$line"); done < <(import_changes "$1")
}

remove_leftovers() {
  # Containers an interrupted earlier run could not remove: test servers and verify scratch ones.
  local label ids
  for label in pgkeep-test=1 pgkeep.scratch=1; do
    if want docker; then
      ids=$(docker -H "unix://$docker_sock" ps -aq --filter "label=$label" 2>/dev/null || true)
      [ -n "$ids" ] && docker -H "unix://$docker_sock" rm -f $ids >/dev/null 2>&1 || true
    fi
    want podman || continue
    ids=$(podman ps -aq --filter "label=$label" 2>/dev/null || true)
    [ -n "$ids" ] && podman rm -f $ids >/dev/null 2>&1 || true
  done
}

mkdir -p "$cache/logs"
install_packages
want docker && start_docker
want podman && start_podman
remove_leftovers
pids=()
for v in "${versions[@]}"; do provide_image "$v" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || die "could not provide the PostgreSQL images (logs: $cache/logs)"; done
say "ready: engines $engines (docker: $docker_sock, podman: $podman_sock), images pgkeep-test/postgres:{${versions[*]// /,}}"

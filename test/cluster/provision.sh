#!/usr/bin/env bash
# Provision the test control plane: etcd from Debian, and kube-apiserver, kube-controller-manager
# and kube-scheduler built once from Debian's kubernetes source package, cached outside the repo.
#
# Usage: test/cluster/provision.sh            # prints the cache directory on its last line
# Env:   BATCHYARD_K8S_CACHE (default /var/cache/batchyard/k8s)
set -euo pipefail

K8S_DEB_VERSION="1.20.5+really1.20.2"
CACHE_ROOT="${BATCHYARD_K8S_CACHE:-/var/cache/batchyard/k8s}"
CACHE_DIR="$CACHE_ROOT/$K8S_DEB_VERSION"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler)

die() { echo "provision: $*" >&2; exit 1; }
log() { echo "provision: $*" >&2; }

have_k8s() {
  for b in "${BINARIES[@]}"; do [ -x "$CACHE_DIR/bin/$b" ] || return 1; done
}
have_etcd() { command -v etcd >/dev/null 2>&1 || [ -x /usr/bin/etcd ]; }

if have_k8s && have_etcd; then
  echo "$CACHE_DIR"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root to install Debian packages (apt-get); run it with sudo or as root"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: provisioning needs a Debian (bookworm) system; or set BATCHYARD_K8S_BIN and BATCHYARD_ETCD to existing binaries"

mkdir -p "$CACHE_ROOT"
# Two provisions at once would both build: the second waits and then finds the binaries.
exec 9>"$CACHE_ROOT/.provision.lock"
flock 9
if have_k8s && have_etcd; then
  echo "$CACHE_DIR"
  exit 0
fi

PACKAGES=(etcd-server)
if ! have_k8s; then
  PACKAGES+=(golang-go rsync golang-github-modern-go-reflect2-dev dpkg-dev ca-certificates make)
  SRC_LIST=/etc/apt/sources.list.d/batchyard-src.list
  if [ ! -f "$SRC_LIST" ]; then
    echo "deb-src http://deb.debian.org/debian bookworm main" > "$SRC_LIST"
  fi
fi

log "apt-get update"
apt-get update -qq >&2 || die "apt-get update failed: no network to Debian's package registry?"
log "installing ${PACKAGES[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2 \
  || die "apt-get install ${PACKAGES[*]} failed"
# etcd-server's package may start a system etcd on 2379 where an init system runs; the harness
# runs its own etcd on free ports, so stop the service (never other etcd processes: parallel test
# clusters use the same binary).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now etcd >/dev/null 2>&1 || true
elif command -v service >/dev/null 2>&1; then
  service etcd stop >/dev/null 2>&1 || true
fi
have_etcd || die "etcd missing after installing etcd-server"
if have_k8s; then
  echo "$CACHE_DIR"
  exit 0
fi

mkdir -p "$CACHE_DIR"
WORK="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
log "downloading kubernetes source package"
apt-get source --download-only -qq "kubernetes=$K8S_DEB_VERSION" >&2 \
  || apt-get source --download-only -qq kubernetes >&2 \
  || die "apt-get source kubernetes failed"
dpkg-source --no-check -x ./kubernetes_*.dsc src >&2 || die "unpacking the source package failed"

# reflect2 v1.0.1 (vendored) crashes under Go >= 1.18: replace it by Debian's v1.0.2 copy.
R2_SRC="$(dpkg -L golang-github-modern-go-reflect2-dev | grep -E '/github.com/modern-go/reflect2$' | head -n1)"
[ -n "$R2_SRC" ] || die "cannot find reflect2 sources from golang-github-modern-go-reflect2-dev"
rsync -a --delete "$R2_SRC/" src/vendor/github.com/modern-go/reflect2/

mkdir -p .go/src/k8s.io
ln -s "$WORK/src" .go/src/k8s.io/kubernetes
cd .go/src/k8s.io/kubernetes
log "building ${BINARIES[*]} (several minutes on 2 cores)"
GOPATH="$WORK/.go" GOFLAGS=-mod=vendor CGO_ENABLED=0 GOPROXY=off GO111MODULE=off \
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >&2 \
  || GOPATH="$WORK/.go" CGO_ENABLED=0 GOPROXY=off \
     make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >&2 \
  || die "building the Kubernetes binaries failed"
mkdir -p "$CACHE_DIR/bin"
for b in "${BINARIES[@]}"; do
  f="$(find _output -type f -name "$b" -perm -u+x | head -n1)"
  [ -n "$f" ] || die "build produced no $b"
  install -m 0755 "$f" "$CACHE_DIR/bin/$b"
done
log "cached in $CACHE_DIR"
have_k8s || die "binaries missing after build"
echo "$CACHE_DIR"

#!/bin/sh
# Installs Debian's prometheus (the server only; its default service is not started) for the
# Prometheus part of the helm e2e test (test/e2e/helm/install.e2e.test.ts, through
# test/e2e/helm/prometheus.ts). Idempotent; needs root for apt.
set -eu
if command -v prometheus >/dev/null 2>&1; then
  command -v prometheus
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends: skips the node exporter and friends; policy-rc.d keeps the package's
# own systemd/init service from starting (nothing here needs it running).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends prometheus || { apt-get update -q && apt-get install -y -q --no-install-recommends prometheus; }
command -v prometheus

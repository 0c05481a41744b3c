#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with the .NET 10 SDK: native packages, npm tools, build.
# Safe to run repeatedly; each step checks before it acts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages: libsecp256k1 (native signing backend); binutils (readelf) for the TorchSharp fix-up; chromium for
# the dashboard's browser test (Playwright drives it; its own browser download cannot work here). nats-server for cluster mode and its tests.
need_apt=()
for pkg in libsecp256k1-1 binutils chromium nats-server; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# npm chain tooling (anvil, contract artifacts, solc, ethers for benchmarks) into tools/node_modules.
if [ -x scripts/setup-node-tools.sh ]; then
  scripts/setup-node-tools.sh
fi

log "building (Release)"
dotnet build LowLatency.sln -c Release -v q --nologo -clp:NoSummary

# TorchSharp 0.107's native library asks for GLIBCXX_3.4.32; Debian 12 has 3.4.30. Mark that need weak where it applies.
scripts/setup-torch.sh

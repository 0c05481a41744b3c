#!/usr/bin/env bash
# Installs the pinned node tools (anvil, Uniswap V2 artifacts, ethers v6, solc) into tools/node_modules.
# Idempotent: runs `npm ci` only when node_modules is missing or package-lock.json changed since the last install.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="$repo_root/tools"
lock_file="$tools_dir/package-lock.json"
stamp_file="$tools_dir/node_modules/.lowlatency-lock.sha256"
anvil_bin="$tools_dir/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"

if ! command -v npm >/dev/null 2>&1; then
  echo "setup-node-tools: npm not found; install Node.js (>= 20) first" >&2
  exit 1
fi

lock_hash="$(sha256sum "$lock_file" | cut -d' ' -f1)"
if [[ -d "$tools_dir/node_modules" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$lock_hash" && -x "$anvil_bin" ]]; then
  echo "setup-node-tools: tools/node_modules is up to date"
  exit 0
fi

echo "setup-node-tools: npm ci --prefix tools"
npm ci --prefix "$tools_dir" --no-audit --no-fund
echo "$lock_hash" > "$stamp_file"

if [[ ! -x "$anvil_bin" ]]; then
  echo "setup-node-tools: anvil binary missing at $anvil_bin after install" >&2
  exit 1
fi
"$anvil_bin" --version | head -n 1

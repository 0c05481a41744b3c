#!/usr/bin/env bash
# Publishes tools/GpuCheck as a self-contained linux-x64 program (no .NET SDK or runtime needed where it runs: an
# NVIDIA driver is enough) and runs it: each kernel (edge sweep, negative cycle) through ILGPU on CUDA, checked against
# its SIMD twin on fresh random inputs, with kernel-only (device events) and end-to-end (copies included) medians for
# batches of 1k to 1M.
#   scripts/gpu-check.sh [--publish-only] [--out DIR] [-- gpu-check arguments: --sizes 1000,... --repeat N --seed N]
# Exit: gpu-check's own (0 pass, 1 a kernel disagrees with its twin, 2 usage, 3 no CUDA device), or the publish's.
# To run elsewhere: copy DIR (default artifacts/gpu-check/linux-x64) to the GPU machine and run DIR/gpu-check there.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/gpu-check/linux-x64
run=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --publish-only) run=0; shift ;;
    --out) [[ $# -ge 2 ]] || { echo "gpu-check.sh: --out needs a folder" >&2; exit 2; }; out="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "gpu-check.sh: unknown argument '$1' (expected --publish-only, --out DIR, -- ARGS)" >&2; exit 2 ;;
  esac
done

echo "gpu-check.sh: publishing self-contained linux-x64 into $out" >&2
dotnet publish tools/GpuCheck/LowLatency.GpuCheck.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishSingleFile=false -o "$out" -nologo -v quiet >&2
if [[ $run -eq 0 ]]; then
  echo "gpu-check.sh: published $out/gpu-check" >&2
  exit 0
fi

exec "$out/gpu-check" "$@"

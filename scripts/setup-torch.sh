#!/usr/bin/env bash
# Makes TorchSharp 0.107's native library loadable where the system libstdc++ lacks GLIBCXX_3.4.32 (Debian 12 has
# 3.4.30). libLibTorchSharp.so asks for that version for one symbol (std::ios_base_library_init) that no relocation
# uses, so marking the requirement weak (vna_flags = VER_FLG_WEAK in .gnu.version_r) is enough: the loader accepts
# the missing version and never binds the symbol. Patches every copy in the build output (never the NuGet cache).
# Idempotent; run after a build. The engine also applies the same fix at start-up (src/Ml/Torch/TorchNative.cs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
art="${LL_ARTIFACTS:-$root/artifacts}"
log() { printf '[setup-torch] %s\n' "$*" >&2; }

libstdcxx=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if [ ! -e "$libstdcxx" ] || grep -qa 'GLIBCXX_3\.4\.32' "$libstdcxx"; then
  log "system libstdc++ has GLIBCXX_3.4.32 (or is elsewhere): nothing to do"
  exit 0
fi
command -v readelf >/dev/null || { log "readelf (binutils) is needed"; exit 2; }

patched=0
while IFS= read -r -d '' lib; do
  line="$(readelf -V "$lib" 2>/dev/null | grep -E 'Name: GLIBCXX_3\.4\.32 ' || true)"
  [ -z "$line" ] && continue
  case "$line" in *WEAK*) continue ;; esac
  entry="$(awk '{sub(":", "", $1); print $1; exit}' <<<"$line")"
  section="$(readelf -SW "$lib" | awk '{for (i = 1; i <= NF; i++) if ($i == ".gnu.version_r") { print $(i + 3); exit }}')"
  offset=$(( 0x$section + entry + 4 ))
  # vna_flags is a little-endian u16 four bytes into the Vernaux entry; 0x0002 = VER_FLG_WEAK.
  printf '\x02\x00' | dd of="$lib" bs=1 seek="$offset" conv=notrunc status=none
  # Read it whole first: grep -q stops reading early, and with pipefail readelf's SIGPIPE would fail the check.
  after="$(readelf -V "$lib")"
  grep -q 'GLIBCXX_3\.4\.32  Flags: WEAK' <<<"$after" || { log "$lib: patch did not take"; exit 1; }
  patched=$((patched + 1))
done < <(find "$art" -name libLibTorchSharp.so -type f -print0 2>/dev/null)
log "patched $patched copies of libLibTorchSharp.so under $art"

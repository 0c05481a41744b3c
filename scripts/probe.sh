#!/usr/bin/env bash
# scripts/probe.sh: the CLI probed as a hostile user and a careful operator would (issue 6, items 1-21), against the
# built launcher. Each case runs under a timeout (a hang fails), must print no stack trace, must exit with the
# expected code, and where it writes a log, every line the engine reports as written must be in the files (silent
# loss fails). One line per case, a summary, exit 1 on any failure. Runs in a temporary folder, so relative paths are
# the caller's. Shared data: $LL_SHARED_DATA, else ../shared/data beside the repository (as the tests find it).
#   scripts/probe.sh            all cases
#   scripts/probe.sh log        only cases whose name contains "log"
set -uo pipefail
set -m # background runs get their own process group, so they receive SIGINT like a foreground run

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LL="$root/lowlatency"
data="${LL_SHARED_DATA:-$root/../shared/data}"
D="$data/cex_ws/cryptofeed"
only="${1:-}"
stop_limit="${LL_PROBE_STOP_S:-2}" # the issue's bound for a clean stop after SIGTERM/SIGINT
KEY=4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318 # shaped like a private key; never to be echoed

w="$(mktemp -d "${TMPDIR:-/tmp}/lowlatency-probe.XXXXXX")"
mounts=()
cleanup() {
  jobs -p | xargs -r kill -9 2>/dev/null
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$w"
}
trap cleanup EXIT
cd "$w" || exit 1

if [ ! -d "$D" ]; then
  echo "probe: shared data not found at $D (set LL_SHARED_DATA)" >&2
  exit 2
fi

# Build (if stale) once, outside any case's timeout.
"$LL" --help >/dev/null 2>&1

pass=0; failed=0; skipped=0; failures=()
name=""; ok=1; why=""; RC=0

# A market on which every run logs opportunities, quickly: two fee-free venues, threshold -10000 bps.
cat > certain.json <<'EOF'
{ "thresholdBps": -10000,
  "market": { "venues": [ { "name": "sim-a", "takerFee": 0, "updatesPerSecond": 100000 },
                          { "name": "sim-b", "takerFee": 0, "updatesPerSecond": 100000 } ],
              "instruments": [ { "symbol": "X-USD" } ] } }
EOF

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
begin() { # begin NAME: starts a case (skipped when it does not match the filter)
  name="$1"; ok=1; why=""; t0="$(now_ms)"
  [ -z "$only" ] || [[ "$name" == *"$only"* ]]
}
bad() { ok=0; why="${why:+$why; }$*"; }
run() { # run SECONDS COMMAND...: stdout in out, stderr in err, exit code in RC
  timeout -k 2 "$1" "${@:2}" >out 2>err </dev/null
  RC=$?
  if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then bad "hang: killed after $1 s"; fi
}
sh_run() { run "$1" bash -c "$2"; } # for redirections (>/dev/full, >&-) and environment prefixes
exit_in() { # exit_in CODE...
  for c in "$@"; do [ "$RC" -eq "$c" ] && return; done
  bad "exit $RC, expected $*"
}
err_has() { grep -qE -- "$1" err || bad "stderr lacks /$1/"; }
out_has() { grep -qE -- "$1" out || bad "stdout lacks /$1/"; }
err_lacks() { ! grep -qF -- "$1" err || bad "stderr has '$1'"; }
no_key() { ! grep -qiF "$KEY" out err "$@" 2>/dev/null || bad "the key was echoed"; }
written() { sed -nE 's/.*; log ([0-9]+) lines written.*/\1/p' "${1:-out}" | tail -1; }
lines_in() { cat "$@" 2>/dev/null | wc -l | tr -d ' '; }
accounted() { # accounted FILE...: the done line's "N lines written" equals the lines in the files; opportunities all accounted for
  local n; n="$(written)"
  if [ -z "$n" ]; then bad "no done line with log counts"; return; fi
  local have; have="$(lines_in "$@")"
  [ "$have" -eq "$n" ] || bad "log has $have lines, the run reported $n written (silent loss)"
  local opp events dropped lost
  opp="$(sed -nE 's/^done: [0-9]+ ticks, ([0-9]+) opportunities.*/\1/p' out | tail -1)"
  events="$(sed -nE 's/^done: [0-9]+ ticks, [0-9]+ opportunities, ([0-9]+) engine events.*/\1/p' out | tail -1)"
  dropped="$(sed -nE 's/.* ([0-9]+) dropped \(queue full\).*/\1/p' out | tail -1)"
  lost="$(sed -nE 's/.* ([0-9]+) lost \(failed writes\).*/\1/p' out | tail -1)"
  [ "$((opp + ${events:-0}))" = "$((n + dropped + lost))" ] || bad "$opp opportunities + ${events:-0} engine events but $n written + $dropped dropped + $lost lost"
}
ends_whole() { [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || bad "$1 ends in a partial line"; }
finish() {
  if grep -qE '^[[:space:]]+at |Unhandled exception' out err 2>/dev/null; then bad "stack trace"; fi
  local ms=$(( $(now_ms) - t0 ))
  if [ "$ok" -eq 1 ]; then
    pass=$((pass + 1)); printf 'PASS  %s (%d ms)\n' "$name" "$ms"
  else
    failed=$((failed + 1)); failures+=("$name"); printf 'FAIL  %s (%d ms): %s\n' "$name" "$ms" "$why"
    sed 's/^/      | /' err | head -n 5
  fi
}
skip() { skipped=$((skipped + 1)); printf 'SKIP  %s: %s\n' "$name" "$1"; }

# Background runs (signals, shared and rotated logs): started with their own out/err files.
start_bg() { # start_bg TAG ARGS...: runs $LL ARGS in the background; pid in BG
  "$LL" "${@:2}" >"$1.out" 2>"$1.err" </dev/null &
  BG=$!
}
wait_for() { # wait_for SECONDS TEST...: polls a condition (the probe is a script; a hang is bounded)
  local deadline=$((SECONDS + $1))
  until "${@:2}"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.05
  done
}
started() { grep -q "dry-run on the simulated market" "$1.out" 2>/dev/null; }
has_lines() { [ -s "$1" ]; }
stop_bg() { # stop_bg TAG SIGNAL: signals BG and waits at most stop_limit s; RC, out, err from the run
  kill -"$2" "$BG" 2>/dev/null
  local waited=0
  while kill -0 "$BG" 2>/dev/null && [ "$waited" -lt $((stop_limit * 20)) ]; do sleep 0.05; waited=$((waited + 1)); done
  if kill -0 "$BG" 2>/dev/null; then
    bad "still running ${stop_limit} s after SIG$2"
    kill -9 "$BG" 2>/dev/null
  fi
  wait "$BG" 2>/dev/null; RC=$?
  cp "$1.out" out; cp "$1.err" err
}

# ---------------------------------------------------------------- replay (items 1-6)
if begin "1 replay: invalid UTF-8 in a string field is a counted drop"; then
  sed '2s/"s":"NKNUSDT"/"s":"NKN\xffUSDT"/' "$D/BINANCE.ws.1.0" > BINANCE.ws.1.0
  run 30 "$LL" replay BINANCE.ws.1.0 "$D/BINANCE.http.0.0"
  exit_in 0 1; err_has 'dropped [1-9]|[1-9][0-9]* rejected'; finish
fi
if begin "2 replay: a capture without book frames names its file, exit 1"; then
  run 30 "$LL" replay "$D/KRAKEN.0"
  exit_in 1; err_has 'KRAKEN\.0'; err_lacks "internal error"; finish
fi
if begin "3 replay: 33,000 symbols is reported as a limit"; then
  awk 'BEGIN { print "wss://stream.binance.com:9443/stream?streams=all@bookTicker <-> 1633998512.0"; for (i = 0; i < 33000; i++) printf "1633998513.%06d: {\"stream\":\"s%dusdt@bookTicker\",\"data\":{\"u\":%d,\"s\":\"S%dUSDT\",\"b\":\"1.0\",\"B\":\"1\",\"a\":\"1.1\",\"A\":\"1\"}}\n", i, i, i + 1, i }' > BINANCE.ws.3.0
  run 60 "$LL" replay BINANCE.ws.3.0
  exit_in 1 2; err_has 'at most|limit'; finish
fi
if begin "3 run: 300 configured venues is reported as a limit"; then
  { printf '{"market":{"venues":['; for i in $(seq 0 299); do printf '%s{"name":"v%d"}' "$([ "$i" -gt 0 ] && echo ,)" "$i"; done
    printf '],"instruments":[{"symbol":"X"}]}}'; } > venues300.json
  run 30 "$LL" run --ticks 10 --config venues300.json --log v300.log
  exit_in 2; err_has 'at most 64'; finish
fi
if begin "4 replay: --speed recorded caps a 30-day gap and says so"; then
  head -n 5 "$D/BINANCE.ws.1.0" > BINANCE.ws.4.0
  sed -n '6,$p' "$D/BINANCE.ws.1.0" | awk '/^[0-9]/ { split($0, p, ":"); $0 = sprintf("%.6f", p[1] + 2592000) substr($0, length(p[1]) + 1) } { print }' >> BINANCE.ws.4.0
  echo '{ "replayMaxGap": "00:00:00.100" }' > gap.json
  run 30 "$LL" replay BINANCE.ws.4.0 "$D/BINANCE.http.0.0" --speed recorded --config gap.json
  exit_in 0; err_has 'capped [1-9]'; finish
fi
if begin "5 replay: a truncated gzip capture is damaged, exit 1, file named"; then
  gzip -c "$D/BINANCE.ws.1.0" | head -c 3000 > BINANCE.ws.5.0.gz
  run 30 "$LL" replay BINANCE.ws.5.0.gz "$D/BINANCE.http.0.0"
  exit_in 1; err_has 'BINANCE\.ws\.5\.0\.gz'; err_has 'damaged|truncated'; finish
fi
if begin "5 replay: a corrupt gzip capture is damaged, exit 1, file named"; then
  gzip -c "$D/BINANCE.ws.1.0" > c.gz; { head -c 2 c.gz; printf '\x07'; tail -c +4 c.gz; } > BINANCE.ws.6.0.gz
  run 30 "$LL" replay BINANCE.ws.6.0.gz "$D/BINANCE.http.0.0"
  exit_in 1; err_has 'BINANCE\.ws\.6\.0\.gz'; finish
fi
if begin "5 replay: a plain capture cut mid-line is damaged, exit 1, file named"; then
  head -c -40 "$D/BINANCE.ws.1.0" > BINANCE.ws.7.0
  run 30 "$LL" replay BINANCE.ws.7.0 "$D/BINANCE.http.0.0"
  exit_in 1; err_has 'BINANCE\.ws\.7\.0'; finish
fi
if begin "6 replay: an older snapshot arriving later is ignored and counted"; then
  cp "$D/BINANCE.http.0.0" BINANCE.http.8.0
  grep 'symbol=NKNUSDT' "$D/BINANCE.http.0.0" | sed -E 's/-> ([0-9]+)\./-> 1633998540./' >> BINANCE.http.8.0
  run 30 "$LL" replay "$D/BINANCE.ws.1.0" BINANCE.http.8.0
  exit_in 0; err_has 'stale snapshots [1-9]'; finish
fi

# ---------------------------------------------------------------- configuration (items 7-9)
if begin "7 config: takerFees null is a validation error"; then
  echo '{"takerFees":null}' > c7a.json
  run 20 "$LL" run --ticks 10 --config c7a.json --log c7.log
  exit_in 2; err_has 'takerFees: must not be null'; finish
fi
if begin "7 config: a null venue is a validation error naming its path"; then
  echo '{"market":{"venues":[null,{"name":"b"},{"name":"c"}],"instruments":[{"symbol":"X"}]}}' > c7b.json
  run 20 "$LL" run --ticks 10 --config c7b.json --log c7.log
  exit_in 2; err_has 'market\.venues\[0\]: must not be null'; finish
fi
if begin "7 config: /dev/zero is refused at once"; then
  run 10 "$LL" run --config /dev/zero
  exit_in 2; err_has 'character device'; finish
fi
if begin "7 config: a FIFO is refused without blocking"; then
  mkfifo settings.fifo
  run 10 "$LL" run --config settings.fifo
  exit_in 2; err_has 'named pipe'; finish
fi
if begin "7 config: a directory is refused"; then
  run 10 "$LL" run --config "$w"
  exit_in 2; err_has 'is a directory'; finish
fi
if begin "7 config: a settings file over 1 MiB is refused"; then
  head -c 2000000 /dev/zero | tr '\0' ' ' > big.json
  run 10 "$LL" run --config big.json
  exit_in 2; err_has 'larger than'; finish
fi
if begin "8 config: \"mode\": \"dry-run\" is the flag's spelling"; then
  echo '{"mode":"dry-run"}' > m1.json
  run 30 "$LL" run --ticks 10 --config m1.json --log m1.log
  exit_in 0; finish
fi
if begin "8 config: \"mode\": 99 is refused"; then
  echo '{"mode":99}' > m2.json
  run 20 "$LL" run --ticks 10 --config m2.json
  exit_in 2; err_has '\$\.mode'; finish
fi
if begin "8 cli: a bad flag value exits 2 without a .NET type name"; then
  run 20 "$LL" run --threshold-bps abc
  exit_in 2; err_has "'abc' is not a number"; err_lacks 'System.'; finish
fi
if begin "8 cli: a bad replay flag value exits 2 without a .NET type name"; then
  run 20 "$LL" replay --depth abc "$D/BINANCE.ws.1.0"
  exit_in 2; err_has "'abc' is not a whole number"; err_lacks 'System.'; finish
fi
if begin "8 cli: an unknown flag and no verb exit 2"; then
  run 20 "$LL" run --bogus; exit_in 2
  run 20 "$LL"; exit_in 2; finish
fi
if begin "9 launcher: relative --config and --log resolve where the caller stands"; then
  mkdir -p here && cp certain.json here/rel.json
  (cd here && timeout 30 "$LL" run --ticks 500 --config rel.json --log logs/rel.log >../out 2>../err </dev/null); RC=$?
  exit_in 0; [ -s here/logs/rel.log ] || bad "here/logs/rel.log was not written"; accounted here/logs/rel.log; finish
fi
if begin "9 launcher: relative replay paths resolve where the caller stands"; then
  mkdir -p caps && cp "$D/BINANCE.ws.1.0" "$D/BINANCE.http.0.0" caps/
  (cd caps && timeout 30 "$LL" replay BINANCE.ws.1.0 BINANCE.http.0.0 >../out 2>../err </dev/null); RC=$?
  exit_in 0; finish
fi

# ---------------------------------------------------------------- logs, signals, output (items 10-15)
if begin "10 log: a directory is refused at start-up"; then
  mkdir -p logdir
  run 20 "$LL" run --ticks 10 --config certain.json --log logdir
  exit_in 2; err_has 'is a directory'; finish
fi
if begin "10 log: a read-only folder is refused at start-up"; then
  mkdir -p ro
  if mount -t tmpfs -o ro,size=64k tmpfs ro 2>/dev/null; then
    mounts+=("$w/ro")
    run 20 "$LL" run --ticks 10 --config certain.json --log ro/a.log
    exit_in 2; err_has 'run: log: .*[Rr]ead-only|permission denied'; finish
  elif [ "$(id -u)" -ne 0 ]; then
    chmod 555 ro
    run 20 "$LL" run --ticks 10 --config certain.json --log ro/a.log
    exit_in 2; err_has 'run: log: .*permission denied'; finish
  else
    skip "root without mount: permission bits do not stop root"
  fi
fi
if begin "10 log: a missing parent folder is created"; then
  run 30 "$LL" run --ticks 500 --config certain.json --log new/deep/a.log
  exit_in 0; accounted new/deep/a.log; finish
fi
if begin "10 log: a 300-character name is refused at start-up"; then
  run 20 "$LL" run --ticks 10 --config certain.json --log "$(printf 'n%.0s' $(seq 300))"
  exit_in 2; err_has 'file name is 300 bytes'; finish
fi
if begin "11 log: a second run on the same log is refused, naming the holder"; then
  start_bg shared run --config certain.json --log shared.log
  if wait_for 20 started shared; then
    run 20 "$LL" run --ticks 10 --config certain.json --log shared.log
    exit_in 2; err_has "in use by another run \\(pid $BG"
    stop_bg shared TERM; exit_in 0; accounted shared.log
  else
    bad "the first run did not start"; kill -9 "$BG" 2>/dev/null
  fi
  finish
fi
if begin "12 log: disk full is an alert, exit 1, whole lines only, nothing lost in silence"; then
  mkdir -p full
  if mount -t tmpfs -o size=16k tmpfs full 2>/dev/null; then
    mounts+=("$w/full")
    run 30 "$LL" run --config certain.json --log full/a.log
    exit_in 1; err_has 'run: alert: writing the log failed: No space left on device'; err_has 'run: stopped'
    ends_whole full/a.log; accounted full/a.log
  else
    run 30 "$LL" run --config certain.json --log /dev/full
    exit_in 1; err_has 'No space left on device'; err_has 'run: stopped'
  fi
  finish
fi
if begin "13 log: moved mid-run, reopened, no line lost"; then
  start_bg moved run --config certain.json --log moved.log
  if wait_for 20 has_lines moved.log; then
    mv moved.log moved.log.away
    wait_for 20 has_lines moved.log || bad "moved.log was not created again"
    stop_bg moved TERM; exit_in 0; accounted moved.log.away moved.log; out_has ' [1-9][0-9]* reopens'
  else
    bad "the run wrote nothing"; kill -9 "$BG" 2>/dev/null
  fi
  finish
fi
if begin "13 log: deleted mid-run, created again"; then
  start_bg deleted run --config certain.json --log deleted.log
  if wait_for 20 has_lines deleted.log; then
    rm deleted.log
    wait_for 20 has_lines deleted.log || bad "deleted.log was not created again"
    stop_bg deleted TERM; exit_in 0; out_has ' [1-9][0-9]* reopens'
  else
    bad "the run wrote nothing"; kill -9 "$BG" 2>/dev/null
  fi
  finish
fi
if begin "13 log: SIGHUP reopens the log"; then
  start_bg hup run --config certain.json --log hup.log
  if wait_for 20 has_lines hup.log; then
    mv hup.log hup.log.1 && kill -HUP "$BG"
    wait_for 20 has_lines hup.log || bad "hup.log was not reopened"
    stop_bg hup TERM; exit_in 0; accounted hup.log.1 hup.log
  else
    bad "the run wrote nothing"; kill -9 "$BG" 2>/dev/null
  fi
  finish
fi
# The live log starts 4,000 bytes long, so the first opportunity line rotates it whatever the thread timing.
prefill() { { printf 'prefilled %s ' "$2"; head -c 3980 /dev/zero | tr '\0' 'p'; echo; } > "$1"; }
if begin "14 log: rotated by size, every file within the limit, no line lost"; then
  sed 's/"thresholdBps": -10000,/"thresholdBps": -10000, "logMaxBytes": 4096, "logKeepFiles": 100,/' certain.json > rot.json
  prefill rot.log live
  run 60 "$LL" run --ticks 20000 --config rot.json --log rot.log
  exit_in 0; out_has ' [1-9][0-9]* rotations'
  grep -q '^prefilled live' rot.log.* 2>/dev/null || bad "the old log was not rotated to rot.log.N"
  have="$(($(lines_in rot.log rot.log.[0-9]*) - 1))"; [ "$have" -eq "$(written)" ] || bad "$have lines besides the prefilled one, $(written) written"
  for f in rot.log rot.log.[0-9]*; do [ "$(wc -c < "$f")" -le 4096 ] || [ "$(wc -l < "$f")" -eq 1 ] || bad "$f is over 4096 bytes"; ends_whole "$f"; done
  finish
fi
if begin "14 log: keeps only N rotated files"; then
  sed 's/"logKeepFiles": 100/"logKeepFiles": 2/' rot.json > keep2.json
  prefill keep.log live; prefill keep.log.1 one; prefill keep.log.2 two
  run 60 "$LL" run --ticks 20000 --config keep2.json --log keep.log
  exit_in 0; n="$(ls keep.log keep.log.[0-9]* | wc -l)"; [ "$n" -le 3 ] || bad "$n files, expected at most 3"
  ! grep -q '^prefilled two' keep.log keep.log.[0-9]* || bad "the oldest file was kept"
  finish
fi
for sig in TERM INT; do
  if begin "15 signal: SIG$sig stops cleanly within ${stop_limit} s, done line, log complete"; then
    start_bg "sig$sig" run --config certain.json --log "sig$sig.log"
    if wait_for 20 has_lines "sig$sig.log"; then
      stop_bg "sig$sig" "$sig"; exit_in 0; out_has '^done: '; err_has "stopped on SIG$sig"; accounted "sig$sig.log"
    else
      bad "the run wrote nothing"; kill -9 "$BG" 2>/dev/null
    fi
    finish
  fi
done
if begin "15 output: run with stdout at /dev/full exits 1 with a message"; then
  sh_run 30 "exec '$LL' run --config certain.json --log o1.log >/dev/full"
  exit_in 1; err_has 'cannot write to stdout: No space left on device'; finish
fi
if begin "15 output: run with stdout closed exits 1 with a message"; then
  sh_run 30 "exec '$LL' run --config certain.json --log o2.log >&-"
  exit_in 1; err_has 'cannot write to stdout'; finish
fi
if begin "15 output: eth with stdout at /dev/full exits 1 with a message"; then
  sh_run 20 "exec '$LL' eth keccak --text hello >/dev/full"
  exit_in 1; err_has 'cannot write to stdout'; finish
fi
if begin "15 output: eth with stdout closed exits 1 with a message"; then
  sh_run 20 "exec '$LL' eth keccak --text hello >&-"
  exit_in 1; err_has 'cannot write to stdout'; finish
fi

# ---------------------------------------------------------------- keys and the eth tools (items 16-19)
if begin "16 keys: ./lowlatency <key> does not echo it"; then
  run 20 "$LL" "$KEY"; exit_in 2; no_key; finish
fi
if begin "16 keys: --duration <key> does not echo it"; then
  run 20 "$LL" run --duration "0x$KEY"; exit_in 2; no_key; finish
fi
if begin "16 keys: TRADING_MODE=<key> does not echo it"; then
  sh_run 20 "TRADING_MODE=$KEY exec '$LL' run --ticks 10"; exit_in 2; no_key; finish
fi
if begin "16 keys: a key as a venue name or log path is neither echoed nor logged"; then
  sed "s/sim-b/$KEY/" certain.json > keyvenue.json
  run 30 "$LL" run --ticks 500 --config keyvenue.json --log "k-$KEY.log"
  exit_in 0; no_key "k-$KEY.log"; finish
fi
if begin "16 keys: eth abi-encode 'f(address)' 0x<key> does not echo it"; then
  run 20 "$LL" eth abi-encode 'f(address)' "0x$KEY"; exit_in 1 2; no_key; finish
fi
if begin "16 keys: a key in a sign-tx field value is not echoed"; then
  sh_run 20 "SIGNER=0x$KEY exec '$LL' eth sign-tx --key-env SIGNER --tx '{\"chainId\":1,\"nonce\":0,\"to\":\"0x$KEY\",\"gasLimit\":21000,\"maxFeePerGas\":\"0x1\",\"maxPriorityFeePerGas\":\"0x1\"}'"
  exit_in 1 2; no_key; finish
fi
if begin "17 keys: --key-file on a FIFO is refused without blocking"; then
  mkfifo key.fifo
  run 5 "$LL" eth address --key-file key.fifo; exit_in 1 2; err_lacks 'Exception'; finish
fi
if begin "17 keys: --key-file on a directory is a clear error"; then
  run 10 "$LL" eth address --key-file "$w"; exit_in 1 2; err_lacks 'Exception'; finish
fi
tx() { printf '{"chainId":%s,"nonce":0,"to":"0x000000000000000000000000000000000000dEaD","value":"0x1","gasLimit":%s,"maxFeePerGas":"0x3b9aca00","maxPriorityFeePerGas":"0x1"%s}' "$1" "$2" "${3:-}"; }
if begin "18 sign-tx: a privateKey field in the transaction is refused"; then
  sh_run 20 "SIGNER=0x$KEY exec '$LL' eth sign-tx --key-env SIGNER --tx '$(tx 1 21000 ",\"privateKey\":\"0x$KEY\"")'"
  exit_in 1 2; [ ! -s out ] || bad "something was signed"; no_key; finish
fi
if begin "18 sign-tx: 100 KB of data at gasLimit 21000 fails the intrinsic gas check"; then
  head -c 100000 /dev/zero | od -An -v -tx1 | tr -d ' \n' | sed 's/^/0x/' > data.hex
  printf '%s\n' "$(tx 1 21000 ",\"data\":\"$(cat data.hex)\"")" > bigtx.json # too long for an argument: --ndjson on stdin
  sh_run 20 "SIGNER=0x$KEY exec '$LL' eth sign-tx --key-env SIGNER --ndjson < bigtx.json"
  exit_in 1 2; [ ! -s out ] || bad "something was signed"; err_has 'gas'; finish
fi
if begin "19 decode-tx: --chain-id 1 rejects a transaction for chain 5"; then
  sh_run 20 "SIGNER=0x$KEY exec '$LL' eth sign-tx --key-env SIGNER --tx '$(tx 5 21000)'"
  raw="$(cat out)"
  run 20 "$LL" eth decode-tx --chain-id 1 "$raw"; exit_in 1; finish
fi
if begin "19 decode-tx: messages name the flag and the field, not .NET parameters"; then
  run 20 "$LL" eth decode-tx 0x; exit_in 1 2; err_lacks "(Parameter"
  sh_run 20 "SIGNER=0x$KEY exec '$LL' eth sign-tx --key-env SIGNER --tx '$(tx 0 21000)'"
  exit_in 1 2; err_lacks 'allowChainIdZero'; err_has 'allow-chain-id-zero'
  sh_run 20 "SIGNER=0x$KEY exec '$LL' eth sign-tx --key-env SIGNER --tx '$(tx 1 '"0x10000000000000000"')'"
  exit_in 1 2; err_has 'gasLimit'; finish
fi

# ---------------------------------------------------------------- found in code review (items 20-21)
if begin "20 run: the full-sweep path over many instruments ends with every line accounted for"; then
  { printf '{"thresholdBps":-10000,"fullSweepMinTouched":1,"market":{"venues":[{"name":"a","takerFee":0,"updatesPerSecond":2000},{"name":"b","takerFee":0,"updatesPerSecond":2000},{"name":"c","takerFee":0,"updatesPerSecond":2000}],"instruments":['
    for i in $(seq 0 99); do printf '%s{"symbol":"S%d"}' "$([ "$i" -gt 0 ] && echo ,)" "$i"; done; printf ']}}'; } > sweep.json
  run 60 "$LL" run --ticks 5000 --config sweep.json --log sweep.log
  exit_in 0; out_has '^done: 5000 ticks'; accounted sweep.log; finish
fi
if begin "21 run: a tick-bounded run is deterministic in ticks and always logs opportunities"; then
  run 30 "$LL" run --ticks 3000 --config certain.json --log det1.log; exit_in 0
  out_has '^done: 3000 ticks, [1-9][0-9]* opportunities'; accounted det1.log; finish
fi
if begin "21 bench: --check before setup says what to run"; then
  skip "needs a checkout without tools/node_modules; the review branch tests it"
fi

echo "probe: ${pass} passed, ${failed} failed, ${skipped} skipped in ${SECONDS} s"
if [ "$failed" -gt 0 ]; then
  printf 'probe: failed: %s\n' "${failures[@]}"
  exit 1
fi
exit 0

// ethers v6 doing what FlashbotsSignBenchmarks.Native does: build + sign + serialise an EIP-1559 transaction
// (196 B calldata, one access-list entry) and make the X-Flashbots-Signature header for a 1 KB body.
// Prints one JSON line: {"medianNs":...} (median of per-iteration wall time after warm-up).
// Usage: node bench.mjs [--quick] | node bench.mjs --check   (the latter prints the outputs for nonce 0 to compare bytes)
import { createRequire } from 'node:module';

const toolsDir = process.env.LL_TOOLS_DIR ?? new URL('../../../../tools/', import.meta.url).pathname;
const require = createRequire(toolsDir.endsWith('/') ? toolsDir + 'package.json' : toolsDir + '/package.json');
const ethers = require('ethers');

const args = new Set(process.argv.slice(2));
const key = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const wallet = new ethers.Wallet(key);
const router = '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D';

// Deterministic inputs shared with the C# benchmark: calldata byte i = (i * 7 + 3) & 0xff, body byte i = 'a' + i % 26.
const calldata = ethers.hexlify(Uint8Array.from({ length: 196 }, (_, i) => (i * 7 + 3) & 0xff));
const body = Array.from({ length: 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
const accessList = [{ address: router, storageKeys: [ethers.toBeHex(1, 32), ethers.toBeHex(8, 32)] }];

function signBundle(nonce) {
  const tx = ethers.Transaction.from({
    type: 2,
    chainId: 1n,
    nonce,
    maxPriorityFeePerGas: 1_500_000_000n,
    maxFeePerGas: 42_000_000_000n,
    gasLimit: 250_000n,
    to: router,
    value: 0n,
    data: calldata,
    accessList,
  });
  tx.signature = wallet.signingKey.sign(tx.unsignedHash);
  const raw = tx.serialized;
  const header = `${wallet.address}:${wallet.signMessageSync(ethers.id(body))}`;
  return { raw, header };
}

if (args.has('--check')) {
  console.log(JSON.stringify({ ...signBundle(0), ethers: ethers.version }));
  process.exit(0);
}

const quick = args.has('--quick');
const warmup = quick ? 300 : 2000;
const iterations = quick ? 1000 : 5000;
let nonce = 0;
for (let i = 0; i < warmup; i++) signBundle(nonce++);
const samples = new Float64Array(iterations);
for (let i = 0; i < iterations; i++) {
  const start = process.hrtime.bigint();
  signBundle(nonce++);
  samples[i] = Number(process.hrtime.bigint() - start);
}
samples.sort();
const median = samples[Math.floor(iterations / 2)];
console.log(JSON.stringify({ medianNs: median, iterations, ethers: ethers.version }));

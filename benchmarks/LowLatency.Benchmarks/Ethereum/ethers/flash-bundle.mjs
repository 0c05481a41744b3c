// ethers v6 doing the bundle half of FlashBundleHarness: encode FlashArbExecutor.execute(asset, amount, minProfit,
// builderBps, legs) for a two-hop route (V3 then V2, four words per leg) and sign it as an EIP-1559 transaction.
// Prints one JSON line: {"medianNs":...} (median of per-iteration wall time after warm-up). Usage: node flash-bundle.mjs [--quick]
import { createRequire } from 'node:module';

const toolsDir = process.env.LL_TOOLS_DIR ?? new URL('../../../../tools/', import.meta.url).pathname;
const require = createRequire(toolsDir.endsWith('/') ? toolsDir + 'package.json' : toolsDir + '/package.json');
const ethers = require('ethers');

const wallet = new ethers.Wallet('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
const executor = new ethers.Interface(['function execute(address asset,uint256 amount,uint256 minProfit,uint256 builderBps,bytes legs)']);
const coder = ethers.AbiCoder.defaultAbiCoder();
const weth = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2';
const token = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const pair = 0x0d4a11d5eeaac28ec3f61d100daf4d40471f1852n;
const pool = 0x11b815efb8f581194ae79006d24e0d814b7697f6n;

function build(nonce) {
  const amount = 2_213_817_057_449_086_601n + BigInt(nonce);
  const middle = 6_900_000_000_000_000_000_000n;
  const back = 2_264_000_000_000_000_000n;
  const legs = ethers.concat([
    coder.encode(['uint256', 'address', 'uint256', 'uint256'], [pool | (1n << 160n), weth, amount, middle]),
    coder.encode(['uint256', 'address', 'uint256', 'uint256'], [pair | (1n << 168n), token, middle, back]),
  ]);
  const data = executor.encodeFunctionData('execute', [weth, amount, 25_000_000_000_000_000n, 1000n, legs]);
  const tx = ethers.Transaction.from({
    type: 2, chainId: 1n, nonce, maxPriorityFeePerGas: 1_000_000_000n, maxFeePerGas: 60_000_000_000n, gasLimit: 600_000n,
    to: '0x5FbDB2315678afecb367f032d93F642f64180aa3', value: 0n, data,
  });
  tx.signature = wallet.signingKey.sign(tx.unsignedHash);
  return tx.serialized;
}

const quick = process.argv.includes('--quick');
const warmup = quick ? 300 : 2000;
const iterations = quick ? 1000 : 5000;
let nonce = 0;
for (let i = 0; i < warmup; i++) build(nonce++);
const samples = new Float64Array(iterations);
for (let i = 0; i < iterations; i++) {
  const start = process.hrtime.bigint();
  build(nonce++);
  samples[i] = Number(process.hrtime.bigint() - start);
}
samples.sort();
console.log(JSON.stringify({ medianNs: samples[Math.floor(iterations / 2)], iterations, ethers: ethers.version }));

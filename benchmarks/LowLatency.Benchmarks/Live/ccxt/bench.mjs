// ccxt's OrderBook doing what BinanceDepthFrameBenchmarks.Ours does: for each of the session's four symbols, the REST
// snapshot into a book, then every depth frame after it, as ccxt pro's binance handler does it: JSON.parse the frame,
// check U/u against the book's nonce, parseFloat each level and store it on its side.
// Prints one JSON line: {"medianNs":...} per frame (median over passes of the pass time / frames).
// Usage: node bench.mjs WS_CAPTURE HTTP_CAPTURE [--quick]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const toolsDir = process.env.LL_TOOLS_DIR ?? new URL('../../../../tools/', import.meta.url).pathname;
const require = createRequire(toolsDir.endsWith('/') ? toolsDir + 'package.json' : toolsDir + '/package.json');
const ccxtDir = require.resolve('ccxt').replace(/dist\/[^/]+$/, '');
const { OrderBook } = await import(ccxtDir + 'js/src/base/ws/OrderBook.js');
const ccxtVersion = JSON.parse(readFileSync(ccxtDir + 'package.json', 'utf8')).version;

const [wsPath, httpPath] = process.argv.slice(2).filter(a => !a.startsWith('--'));
const quick = process.argv.includes('--quick');
const snapshots = new Map();
for (const line of readFileSync(httpPath, 'utf8').split('\n')) {
  const arrow = line.indexOf(' -> ');
  if (arrow < 0) continue;
  const symbol = /symbol=([A-Z0-9]+)/.exec(line.slice(0, arrow))[1];
  snapshots.set(symbol, line.slice(line.indexOf(': ', arrow) + 2));
}
const frames = [];
for (const line of readFileSync(wsPath, 'utf8').split('\n')) {
  const colon = line.indexOf(': {"stream":"');
  if (colon < 0 || !line.includes('@depth')) continue;
  const text = line.slice(colon + 2);
  const data = JSON.parse(text).data;
  const snap = JSON.parse(snapshots.get(data.s) ?? 'null');
  if (snap && data.u > snap.lastUpdateId) frames.push(text);
}

function pass() {
  const books = new Map();
  for (const [symbol, text] of snapshots) {
    const snap = JSON.parse(text);
    const book = new OrderBook({}, 5000);
    for (const [p, q] of snap.bids) book.bids.store(parseFloat(p), parseFloat(q));
    for (const [p, q] of snap.asks) book.asks.store(parseFloat(p), parseFloat(q));
    book.nonce = snap.lastUpdateId;
    book.first = true;
    books.set(symbol, book);
  }
  let applied = 0;
  for (const text of frames) {
    const message = JSON.parse(text).data;
    const book = books.get(message.s);
    if (message.u <= book.nonce) continue;
    if (book.first ? message.U > book.nonce + 1 : message.U !== book.nonce + 1) throw new Error('gap in the recorded session');
    for (const [p, q] of message.b) book.bids.store(parseFloat(p), parseFloat(q));
    for (const [p, q] of message.a) book.asks.store(parseFloat(p), parseFloat(q));
    book.nonce = message.u;
    book.first = false;
    applied++;
  }
  return applied + snapshots.size;
}

const warmup = quick ? 50 : 300;
const passes = quick ? 200 : 1000;
let ops = 0;
for (let i = 0; i < warmup; i++) ops = pass();
const samples = new Float64Array(passes);
for (let i = 0; i < passes; i++) {
  const start = process.hrtime.bigint();
  pass();
  samples[i] = Number(process.hrtime.bigint() - start) / ops;
}
samples.sort();
console.log(JSON.stringify({ medianNs: samples[Math.floor(passes / 2)], framesPerPass: ops, passes, ccxt: ccxtVersion }));

// Compiles contracts/*.sol with the pinned solc-js (tools/node_modules/solc) into one JSON file:
// { "<Contract>": { "abi": [...], "bytecode": "0x...", "deployedBytecode": "0x..." } }. Called by the build
// (src/Adapters/FlashLoans/LowLatency.Adapters.FlashLoans.csproj); exits 1 with solc's message on any error.
"use strict";
const fs = require("fs");
const path = require("path");
const [solcPath, outFile, ...sources] = process.argv.slice(2);
const solc = require(path.resolve(solcPath));
const input = {
  language: "Solidity",
  sources: Object.fromEntries(sources.map(f => [path.basename(f), { content: fs.readFileSync(f, "utf8") }])),
  settings: {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 10000 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of out.errors || []) {
  console.error(e.formattedMessage);
  if (e.severity === "error" || e.severity === "warning") failed = true;
}
if (failed) process.exit(1);
const result = { solc: solc.version() };
for (const file of Object.keys(out.contracts)) {
  for (const [name, c] of Object.entries(out.contracts[file])) {
    result[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object, deployedBytecode: "0x" + c.evm.deployedBytecode.object };
  }
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(result));

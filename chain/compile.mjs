// Compiles chain/contracts/*.sol with the pinned npm solc into chain/artifacts/<Name>.json.
// Each artifact records the compiler and a sha256 of every source that went into it, so a test
// can tell when a source changed without its artifact. `--check` compiles and compares instead
// of writing, exiting 1 when an artifact is stale.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const chainDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(chainDir);
const contractsDir = join(chainDir, "contracts");
const artifactsDir = join(chainDir, "artifacts");
const modulesDir = join(rootDir, "node_modules");

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
};

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

function sourcePath(importPath) {
  return importPath.startsWith("@") ? join(modulesDir, importPath) : join(chainDir, importPath);
}

function compile() {
  const sources = {};
  for (const file of readdirSync(contractsDir).filter((f) => f.endsWith(".sol")).sort()) {
    const key = `contracts/${file}`;
    sources[key] = { content: readFileSync(join(contractsDir, file), "utf8") };
  }
  const used = {};
  const findImports = (path) => {
    const file = sourcePath(path);
    if (!existsSync(file)) return { error: `not found: ${path}` };
    return { contents: readFileSync(file, "utf8") };
  };
  const input = { language: "Solidity", sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  if (errors.length) {
    for (const e of errors) console.error(e.formattedMessage);
    process.exit(2);
  }
  for (const path of Object.keys(output.sources)) {
    used[path] = sha256(readFileSync(sourcePath(path), "utf8"));
  }
  const artifacts = {};
  for (const [path, contracts] of Object.entries(output.contracts)) {
    if (!path.startsWith("contracts/")) continue;
    for (const [name, out] of Object.entries(contracts)) {
      artifacts[name] = {
        "_generated": "by chain/compile.mjs; do not edit",
        contractName: name,
        sourceName: path,
        compiler: `solc ${solc.version()}`,
        settings: { optimizer: SETTINGS.optimizer, evmVersion: SETTINGS.evmVersion },
        sources: Object.fromEntries(Object.keys(used).sort().map((p) => [p, used[p]])),
        abi: out.abi,
        bytecode: `0x${out.evm.bytecode.object}`,
      };
    }
  }
  return artifacts;
}

const check = process.argv.includes("--check");
let stale = 0;
for (const [name, artifact] of Object.entries(compile())) {
  const file = join(artifactsDir, `${name}.json`);
  const text = `${JSON.stringify(artifact, null, 2)}\n`;
  if (check) {
    if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
      console.error(`stale artifact: ${relative(rootDir, file)}`);
      stale += 1;
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${relative(rootDir, file)}`);
  }
}
process.exit(stale ? 1 : 0);

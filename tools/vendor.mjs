// Copies the browser libraries pinned in package.json into webapp/static/vendor/, each with
// its licence, so the app serves them itself (no CDN: it must work offline).
//   node tools/vendor.mjs          write the files
//   node tools/vendor.mjs --check  exit 1 if a vendored file differs from node_modules
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const modules = join(root, "node_modules");
const vendor = join(root, "webapp", "static", "vendor");
const version = (name) => JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version;

const FILES = [
  // [package, file in the package, vendored name]
  ["jsqr", "dist/jsQR.js", "jsQR.js"],
  ["jsqr", "LICENSE", "jsQR.LICENSE.txt"],
  ["qrcode-generator", "dist/qrcode.js", "qrcode-generator.js"],
];
// qrcode-generator ships its MIT licence in the header of qrcode.js only.
const NOTICES = {
  "qrcode-generator.LICENSE.txt": () =>
    `qrcode-generator ${version("qrcode-generator")}: Copyright (c) 2009 Kazuhiko Arase.\n` +
    "Licensed under the MIT license (see the header of qrcode-generator.js).\n",
};

const check = process.argv.includes("--check");
let stale = 0;
const wanted = [
  ...FILES.map(([pkg, file, name]) => [name, readFileSync(join(modules, pkg, file), "utf8")]),
  ...Object.entries(NOTICES).map(([name, text]) => [name, text()]),
];
for (const [name, text] of wanted) {
  const target = join(vendor, name);
  if (check) {
    if (!existsSync(target) || readFileSync(target, "utf8") !== text) {
      console.error(`stale vendored file: ${name}`);
      stale += 1;
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote webapp/static/vendor/${name}`);
  }
}
process.exit(stale ? 1 : 0);

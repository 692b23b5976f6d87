// Copies the browser libraries pinned in package.json into webapp/static/vendor/, each with
// its licence, so the app serves them itself (no CDN: it must work offline). The icons are a
// sprite of only the Lucide icons the templates use (ICONS), one <symbol id="i-NAME"> each.
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
  ["lucide-static", "LICENSE", "lucide.LICENSE.txt"],
];
// qrcode-generator ships its MIT licence in the header of qrcode.js only.
const NOTICES = {
  "qrcode-generator.LICENSE.txt": () =>
    `qrcode-generator ${version("qrcode-generator")}: Copyright (c) 2009 Kazuhiko Arase.\n` +
    "Licensed under the MIT license (see the header of qrcode-generator.js).\n",
};

// The Lucide icons the app draws (templates/_ui.html, `icon(name)`). Add a name here, then run
// `make vendor`: the sprite holds nothing else, so phones download only these.
const ICONS = [
  "award", "blocks", "calendar-days", "camera", "check", "chevron-left", "chevron-right",
  "circle-alert", "circle-check", "circle-user-round", "clock", "coins", "flashlight", "gift",
  "heart", "house", "id-card", "inbox", "info", "key-round", "languages", "log-out", "map-pin",
  "scan-qr-code", "scroll-text", "smartphone", "store", "switch-camera", "ticket", "users",
  "wallet", "chart-column",
  // the organiser's and administrator's pages
  "download", "printer", "qr-code", "user-check",
];

const STROKE =
  'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"';

function sprite() {
  const symbols = ICONS.map((name) => {
    const svg = readFileSync(join(modules, "lucide-static", "icons", `${name}.svg`), "utf8");
    const body = svg.slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>"));
    const shapes = body.split("\n").map((line) => line.trim()).filter(Boolean).join("");
    // The drawing attributes sit on each symbol: a <use> of another file inherits nothing from
    // that file's root element.
    return `<symbol id="i-${name}" viewBox="0 0 24 24" ${STROKE}>${shapes}</symbol>`;
  });
  return (
    `<!-- Lucide ${version("lucide-static")} (ISC, see lucide.LICENSE.txt): written by tools/vendor.mjs -->\n` +
    '<svg xmlns="http://www.w3.org/2000/svg">\n' +
    symbols.join("\n") +
    "\n</svg>\n"
  );
}
NOTICES["icons.svg"] = sprite;

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

// Builds the front-end files the hcs binary embeds, into
// internal/web/static (never committed). Run by `make assets` after
// `npm ci`:
//
//	node tools/build-assets.mjs
//
// From the NHS.UK design system (nhsuk-frontend, pinned in package.json) and
// hcs's own internal/web/assets it writes:
//   - one stylesheet: the design system's CSS without its webfont (the
//     Frutiger files live on an NHS host and are for nhs.uk services; the
//     design system falls back to Arial) and without the rules no template
//     or script uses (PurgeCSS), then hcs.css;
//   - the design system's JavaScript and hcs.js, which imports it;
//   - the design system's images;
//   - the DejaVu Sans fonts that PDF certificates are set in;
// each named by a hash of its content (hcs.3f9a1c2e.css) so it can be
// cached for a year, with .gz and .br copies compressed once here, and
// manifest.json mapping each logical name to its file. The server reads the
// manifest; a build of the Go code without it fails (see
// internal/web/server.go).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { PurgeCSS } from "purgecss";

const nhsuk = "node_modules/nhsuk-frontend/dist/nhsuk";
const own = "internal/web/assets";
const out = "internal/web/static";

// Start afresh, keeping the folder's README (committed, so the folder
// exists and a Go build without the files fails on the manifest by name).
for (const entry of readdirSync(out)) {
  if (entry !== "README.md") rmSync(join(out, entry), { recursive: true, force: true });
}
mkdirSync(join(out, "images"), { recursive: true });
mkdirSync(join(out, "fonts"), { recursive: true });

const manifest = {};
let raw = 0, brotli = 0;

// emit writes a file under its content hash, with compressed copies of
// text files, and records it in the manifest.
function emit(logical, body) {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  const ext = extname(logical);
  const name = `${logical.slice(0, -ext.length)}.${hash}${ext}`;
  writeFileSync(join(out, name), body);
  if ([".css", ".js", ".svg", ".json"].includes(ext)) {
    const gz = gzipSync(body, { level: 9 });
    const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    writeFileSync(join(out, name + ".gz"), gz);
    writeFileSync(join(out, name + ".br"), br);
    raw += body.length;
    brotli += br.length;
  }
  manifest[logical] = name;
  return name;
}

// Images first: the stylesheet refers to them by their hashed names.
for (const file of readdirSync(join(nhsuk, "assets/images")).sort()) {
  emit(`images/${file}`, readFileSync(join(nhsuk, "assets/images", file)));
}

// Fonts for PDF certificates (DejaVu, from the dejavu-fonts-ttf package):
// embedded so that a certificate looks the same from every server, and
// covering the accents and scripts people's names are written in.
for (const file of ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]) {
  emit(`fonts/${file}`, readFileSync(join("node_modules/dejavu-fonts-ttf/ttf", file)));
}

// JavaScript: the design system, then hcs.js importing it by its hashed name.
const vendorJS = emit("nhsuk-frontend.js", readFileSync(join(nhsuk, "nhsuk-frontend.min.js")));
const ownJS = readFileSync(join(own, "hcs.js"), "utf8");
if (!ownJS.includes("./nhsuk-frontend.js")) {
  throw new Error(`${own}/hcs.js must import ./nhsuk-frontend.js`);
}
emit("hcs.js", Buffer.from(ownJS.replace("./nhsuk-frontend.js", `./${vendorJS}`)));

// CSS: no webfont, images by hashed name, unused rules dropped.
let css = readFileSync(join(nhsuk, "nhsuk-frontend.min.css"), "utf8") + "\n" + readFileSync(join(own, "hcs.css"), "utf8");
css = css.replace(/@font-face\{[^}]*\}/g, "");
if (css.includes("assets.nhs.uk")) {
  throw new Error("the stylesheet still refers to assets.nhs.uk");
}
css = css.replace(/url\(\/assets\/(images\/[^)]+)\)/g, (m, logical) => {
  if (!manifest[logical]) throw new Error(`the stylesheet refers to ${logical}, which is not an image of the design system`);
  return `url(/assets/${manifest[logical]})`;
});
const [purged] = await new PurgeCSS().purge({
  css: [{ raw: css }],
  content: ["internal/web/templates/**/*.html", `${own}/hcs.js`],
  // Classes a template builds from parts, and states the design system's
  // script switches on.
  safelist: {
    standard: ["js-enabled", "nhsuk-frontend-supported", "nhsuk-skip-link-focused-element"],
    greedy: [/^nhsuk-input--width-/, /^nhsuk-header__menu/, /^nhsuk-header__navigation/, /--open$/, /--visible$/, /--active$/, /--expanded$/, /--current$/, /--focus/, /--error$/],
  },
  variables: true,
});
emit("hcs.css", Buffer.from(purged.css));

writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`build-assets: ${Object.keys(manifest).length} files in ${out}; text ${(raw / 1024).toFixed(0)} KiB, ${(brotli / 1024).toFixed(0)} KiB with brotli; stylesheet ${(purged.css.length / 1024).toFixed(0)} KiB of ${(css.length / 1024).toFixed(0)} KiB`);

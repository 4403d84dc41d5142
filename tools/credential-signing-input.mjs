// An independent rebuild of what an eddsa-jcs-2022 proof signs, for the
// credential tests: it shares no code with hcs. It reads a signed
// credential and writes the 64 signed bytes (SHA-256 of the JCS-canonical
// proof options, then of the credential without its proof) and the
// signature decoded from proofValue, for `openssl pkeyutl -verify`.
//
//   node tools/credential-signing-input.mjs signed.json data.bin sig.bin
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

const [input, dataOut, sigOut] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(input, "utf8"));
const { proofValue, ...options } = doc.proof;
delete doc.proof;

const sha256 = (s) => createHash("sha256").update(s, "utf8").digest();
writeFileSync(dataOut, Buffer.concat([sha256(canonicalize(options)), sha256(canonicalize(doc))]));

// base58btc (multibase "z"), with BigInt.
const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
if (!proofValue.startsWith("z")) throw new Error("proofValue is not base58btc multibase");
let n = 0n;
for (const c of proofValue.slice(1)) {
  const i = alphabet.indexOf(c);
  if (i < 0) throw new Error("proofValue is not base58btc");
  n = n * 58n + BigInt(i);
}
let hex = n.toString(16);
if (hex.length % 2) hex = "0" + hex;
const zeros = proofValue.slice(1).match(/^1*/)[0].length;
writeFileSync(sigOut, Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, "hex")]));

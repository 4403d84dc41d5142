// An independent reading of a Bitstring Status List, for the credential
// tests: it shares no code with hcs. It reads a BitstringStatusListCredential
// and prints the bit at an index: 1 when the credential there is revoked.
//
//   node tools/status-list-bit.mjs status-list.json 94567
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const [input, index] = process.argv.slice(2);
const list = JSON.parse(readFileSync(input, "utf8"));
const encoded = list.credentialSubject.encodedList;
if (!encoded.startsWith("u")) throw new Error("encodedList is not multibase base64url");
const bits = gunzipSync(Buffer.from(encoded.slice(1), "base64url"));
const i = Number(index);
if (!Number.isInteger(i) || i < 0 || i >= bits.length * 8) throw new Error(`index ${index} is outside the list`);
process.stdout.write(String((bits[i >> 3] >> (7 - (i & 7))) & 1) + "\n");

// Validates an OpenAPI document with @apidevtools/swagger-parser, the
// second, independent validator of internal/web/openapi.json (the Go tests
// use kin-openapi). Run by `make test`:
//
//	node tools/openapi-check.mjs internal/web/openapi.json
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
if (!file) {
  console.error("usage: node tools/openapi-check.mjs FILE");
  process.exit(2);
}
try {
  const api = await SwaggerParser.validate(file);
  const operations = Object.values(api.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  console.log(`openapi-check: ${file} is valid OpenAPI ${api.openapi} (${operations} operations)`);
} catch (err) {
  console.error(`openapi-check: ${file} is not valid:\n${err.message}`);
  process.exit(1);
}

// Runs the Khronos glTF validator on one .glb/.gltf/.vrm file and prints its JSON report.
// Usage: node validate_gltf.mjs FILE   (gltf-validator is resolved from NODE_PATH)
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const validator = require("gltf-validator");
const file = process.argv[2];
const data = new Uint8Array(await readFile(file));
const report = await validator.validateBytes(data, {
  uri: file,
  maxIssues: 200,
  externalResourceFunction: () => Promise.reject(new Error("external resources are not loaded")),
});
process.stdout.write(JSON.stringify(report));

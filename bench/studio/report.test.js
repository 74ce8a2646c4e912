// node --test bench/studio/  — checks where run.sh puts its entry in BENCHMARKS.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { insertStudioEntry } from "./report.js";

const DOC = "# Benchmarks\n\n## Results\n\nr\n\n## Run log\n\n### cli run\n";

test("creates the Studio section before the run log, so CLI runs never land inside it", () => {
  const out = insertStudioEntry(DOC, "### studio 1\n\n| a |\n");
  assert.ok(out.indexOf("## Studio") < out.indexOf("## Run log"));
  assert.ok(out.indexOf("### studio 1") > out.indexOf("## Studio"));
  assert.ok(out.indexOf("### studio 1") < out.indexOf("## Run log"));
  assert.ok(out.endsWith("### cli run\n"));
});

test("appends later entries at the end of the Studio section, newest last", () => {
  const once = insertStudioEntry(DOC, "### studio 1\n");
  const twice = insertStudioEntry(once, "### studio 2\n");
  assert.ok(twice.indexOf("### studio 1") < twice.indexOf("### studio 2"));
  assert.ok(twice.indexOf("### studio 2") < twice.indexOf("## Run log"));
  assert.equal(twice.match(/## Studio/g)?.length, 1);
});

test("appends at the end of the file when the Studio section is last", () => {
  const doc = "# B\n\n## Studio\n\nintro\n";
  const out = insertStudioEntry(doc, "### studio 1\n");
  assert.equal(out, "# B\n\n## Studio\n\nintro\n\n### studio 1\n");
});

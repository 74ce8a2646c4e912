import type { GenericTestDto, NodeStatusDto, TestArgumentValue } from "../../api";

/** The picker's groups: built-ins, the project's own tests, then one group per package. */
export interface TestGroup {
  label: string;
  tests: GenericTestDto[];
}

export function groupTests(tests: readonly GenericTestDto[]): TestGroup[] {
  const groups: TestGroup[] = [];
  const add = (label: string, test: GenericTestDto) => {
    const group = groups.find((entry) => entry.label === label);
    if (group) group.tests.push(test);
    else groups.push({ label, tests: [test] });
  };
  for (const origin of ["builtin", "project", "package"] as const) {
    for (const test of tests.filter((entry) => entry.origin === origin && entry.takesColumn)) {
      add(origin === "builtin" ? "Built-in" : origin === "project" ? "This project" : `Package ${test.package ?? ""}`, test);
    }
  }
  return groups;
}

/** What the user typed for one argument: a line per value for lists, else one text. */
export type ArgumentInputs = Record<string, string>;

/**
 * A typed value as YAML would read it when written bare: numbers, true/false and none/null keep
 * their type, anything else is text (`ref('x')`, `price > 0`).
 */
export function typedValue(text: string): unknown {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === "true";
  if (/^(none|null)$/i.test(trimmed)) return null;
  return trimmed;
}

/** The values of an `accepted_values` list: one a line, blank lines dropped, kept as text. */
export function valueLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Arguments the way each test expects them; empty optional ones are left out (their default applies). */
export function argumentValues(test: GenericTestDto, inputs: ArgumentInputs): TestArgumentValue[] {
  const values: TestArgumentValue[] = [];
  for (const argument of test.arguments) {
    const text = inputs[argument.name] ?? "";
    if (text.trim() === "" || (argument.default !== null && text.trim().toLowerCase() === argument.default.toLowerCase())) continue;
    if (test.name === "accepted_values" && argument.name === "values") {
      values.push({ name: argument.name, value: valueLines(text) });
    } else if (test.name === "relationships" && argument.name === "to") {
      values.push({ name: argument.name, value: `ref('${text.trim()}')` });
    } else {
      values.push({ name: argument.name, value: typedValue(text) });
    }
  }
  return values;
}

/** Required arguments still empty; the form cannot be previewed until there are none. */
export function missingArguments(test: GenericTestDto, inputs: ArgumentInputs): string[] {
  return test.arguments.filter((argument) => argument.required && (inputs[argument.name] ?? "").trim() === "").map((argument) => argument.name);
}

/** A test chip's look: the status of its last run, or "not run". */
export type ChipState = "pass" | "fail" | "warn" | "error" | "stale" | "skipped" | "notrun";

export function chipState(status: NodeStatusDto | null | undefined): ChipState {
  switch (status) {
    case "pass":
    case "success":
      return "pass";
    case "fail":
      return "fail";
    case "warn":
      return "warn";
    case "error":
      return "error";
    case "stale":
      return "stale";
    case "skipped":
      return "skipped";
    default:
      return "notrun";
  }
}

export const CHIP_LABELS: Record<ChipState, string> = {
  pass: "passed",
  fail: "failed",
  warn: "warned",
  error: "errored",
  stale: "changed since its last run",
  skipped: "skipped",
  notrun: "not run yet",
};

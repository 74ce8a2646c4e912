/** The short badge the explorer, quick open and the palette show before a file's name. */
export const KIND_LABEL: Record<string, string> = {
  model: "SQL",
  source: "SRC",
  seed: "CSV",
  test: "TST",
  macro: "MAC",
  analysis: "ANL",
  docs: "MD",
  yaml: "YML",
  other: "",
};

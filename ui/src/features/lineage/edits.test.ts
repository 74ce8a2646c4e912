import { describe, expect, it } from "vitest";

import { renameRequest } from "./edits";

describe("renameRequest", () => {
  it("sends only a new name for a rename in place", () => {
    expect(renameRequest("models/marts/fct_sales.sql", "models/marts/fct_ticket_sales.sql")).toEqual({
      kind: "renameModel",
      path: "models/marts/fct_sales.sql",
      newName: "fct_ticket_sales",
    });
  });

  it("adds the folder for a move", () => {
    expect(renameRequest("models/marts/fct_sales.sql", "models/finance/fct_sales.sql")).toEqual({
      kind: "renameModel",
      path: "models/marts/fct_sales.sql",
      newName: "fct_sales",
      newDirectory: "models/finance",
    });
  });
});

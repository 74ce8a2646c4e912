import { describe, expect, it } from "vitest";
import type { DiagnosticDto, StatementResultDto } from "../../api";
import { deliveryStreamOf, errorsFromResult, errorsSql, isMissingTable } from "./errors";
import { viewDdl, viewNameFor } from "./snippets";

function diagnostic(message: string): DiagnosticDto {
  return { code: "K4001", severity: "error", message, file: null, line: null, column: null, hint: null };
}

describe("errorsSql", () => {
  it("lists the newest hundred, of one consumer when asked, quoting its name", () => {
    expect(errorsSql("scan", null)).toContain("FROM kiln_stream.scan_errors ORDER BY logged_at DESC");
    expect(errorsSql("scan", "public.o'view")).toContain("WHERE consumer = 'public.o''view'");
    expect(errorsSql("load", "deliveries")).toContain("FROM kiln_stream.load_errors WHERE delivery_stream = 'deliveries' ORDER BY starttime DESC LIMIT 100");
  });
});

describe("isMissingTable", () => {
  it("takes a missing bookkeeping table for no errors, and nothing else", () => {
    expect(isMissingTable(diagnostic("Catalog Error: Table with name scan_errors does not exist!"))).toBe(true);
    expect(isMissingTable(diagnostic("Catalog Error: Schema with name kiln_stream does not exist!"))).toBe(true);
    expect(isMissingTable(diagnostic("IO Error: could not read the warehouse"))).toBe(false);
  });
});

describe("errorsFromResult", () => {
  it("reads rows by column name", () => {
    const result: StatementResultDto = {
      index: 0,
      sql: "",
      columns: ["delivery_stream", "table_name", "sequence_number", "colname", "raw_line", "err_reason", "starttime"].map((name) => ({ name, dataType: null, description: "" })),
      firstPage: [["deliveries", "main.readings", "7", "temp", "x,y", "could not convert", "2025-01-02 10:11:12"]],
      totalRows: 1,
      elapsed: 0,
      error: null,
    };
    expect(errorsFromResult("load", result)).toEqual([
      {
        consumer: "deliveries",
        stream: "deliveries",
        where: "main.readings.temp",
        sequenceNumber: "7",
        partitionKey: null,
        arrival: null,
        reason: "could not convert",
        record: "x,y",
        loggedAt: "2025-01-02 10:11:12",
      },
    ]);
  });

  it("knows a delivery consumer by its name", () => {
    expect(deliveryStreamOf("firehose:deliveries")).toBe("deliveries");
    expect(deliveryStreamOf("public.orders_view")).toBeNull();
  });
});

describe("viewDdl", () => {
  it("names the view after the stream and quotes names SQL would not take bare", () => {
    expect(viewNameFor("orders")).toBe("orders_view");
    expect(viewNameFor("Click-Stream.2")).toBe("click_stream_2_view");
    expect(viewNameFor("2024")).toBe("s_2024_view");
    expect(viewDdl("orders")).toContain("FROM kinesis_schema.orders;");
    expect(viewDdl("click-stream")).toContain('FROM kinesis_schema."click-stream";');
  });
});

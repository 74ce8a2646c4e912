import type { DiagnosticDto, StatementResultDto } from "../../api";

/** The rows each error list shows, newest first. */
export const ERROR_ROWS = 100;

export type ErrorTable = "scan" | "load";

/** A record a streaming view set aside (`kiln_stream.scan_errors`) or a delivery could not load (`load_errors`). */
export interface StreamError {
  /** The view (`schema.view`) or the delivery stream. */
  consumer: string;
  stream: string;
  /** Where the record came from: a shard and sequence, or a delivery's table and column. */
  where: string;
  sequenceNumber: string;
  partitionKey: string | null;
  arrival: string | null;
  reason: string;
  record: string;
  loggedAt: string | null;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The console SQL listing the newest errors, of one consumer when given. */
export function errorsSql(table: ErrorTable, consumer: string | null): string {
  if (table === "scan") {
    const where = consumer ? ` WHERE consumer = ${quote(consumer)}` : "";
    return (
      "SELECT consumer, stream, shard_id, sequence_number, partition_key, arrival, reason, record, logged_at" +
      ` FROM kiln_stream.scan_errors${where} ORDER BY logged_at DESC, arrival DESC LIMIT ${ERROR_ROWS}`
    );
  }
  const where = consumer ? ` WHERE delivery_stream = ${quote(consumer)}` : "";
  return (
    "SELECT delivery_stream, table_name, sequence_number, colname, raw_line, err_reason, starttime" +
    ` FROM kiln_stream.load_errors${where} ORDER BY starttime DESC LIMIT ${ERROR_ROWS}`
  );
}

/**
 * The bookkeeping tables appear with the first streaming view or delivery; before that the
 * warehouse says the table (or the `kiln_stream` schema) does not exist, which means "no errors".
 */
export function isMissingTable(error: DiagnosticDto): boolean {
  return /does not exist/i.test(error.message) && /kiln_stream|scan_errors|load_errors/i.test(error.message);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function optional(value: unknown): string | null {
  return value === null || value === undefined ? null : text(value);
}

/** The error rows of a statement of `errorsSql`, read by column name. */
export function errorsFromResult(table: ErrorTable, result: StatementResultDto): StreamError[] {
  const index = new Map(result.columns.map((column, position) => [column.name, position]));
  const cell = (row: unknown[], name: string): unknown => {
    const position = index.get(name);
    return position === undefined ? null : row[position];
  };
  return result.firstPage.map((row) =>
    table === "scan"
      ? {
          consumer: text(cell(row, "consumer")),
          stream: text(cell(row, "stream")),
          where: text(cell(row, "shard_id")),
          sequenceNumber: text(cell(row, "sequence_number")),
          partitionKey: optional(cell(row, "partition_key")),
          arrival: optional(cell(row, "arrival")),
          reason: text(cell(row, "reason")),
          record: text(cell(row, "record")),
          loggedAt: optional(cell(row, "logged_at")),
        }
      : {
          consumer: text(cell(row, "delivery_stream")),
          stream: text(cell(row, "delivery_stream")),
          where: [text(cell(row, "table_name")), text(cell(row, "colname"))].filter(Boolean).join("."),
          sequenceNumber: text(cell(row, "sequence_number")),
          partitionKey: null,
          arrival: null,
          reason: text(cell(row, "err_reason")),
          record: text(cell(row, "raw_line")),
          loggedAt: optional(cell(row, "starttime")),
        },
  );
}

/** The consumer named in `kiln_stream.load_errors` for a delivery consumer `firehose:<stream>`. */
export function deliveryStreamOf(consumer: string): string | null {
  return consumer.startsWith("firehose:") ? consumer.slice("firehose:".length) : null;
}

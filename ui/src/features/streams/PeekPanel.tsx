import { Fragment, useCallback, useEffect, useRef, useState } from "react";
import type { StreamDto, StreamRecordDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Icon, Spinner, formatNumber } from "../../shared/ui";
import { compactData, formatArrival, prettyData, streamKey } from "./metrics";

/** Records a peek shows. */
export const PEEK_LIMIT = 20;
/** The engine cuts a peeked payload at this many bytes. */
const PEEK_BYTES = 4096;

/**
 * The newest records of one stream, newest first: one line each, opened to read the data as sent
 * (JSON indented). While
 * "Follow" is on they are read again whenever the stream took new records (at most once a poll);
 * off, they stay put to be read until Refresh.
 */
export function PeekPanel({ streams, selected, onSelect }: { streams: readonly StreamDto[]; selected: string | null; onSelect: (key: string) => void }) {
  const studio = useStudioInstance();
  const stream = streams.find((entry) => streamKey(entry) === selected) ?? null;
  const [records, setRecords] = useState<StreamRecordDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadedAt, setLoadedAt] = useState<number | null>(null);
  const [follow, setFollow] = useState(true);
  /** Records opened to read their data in full, by shard and sequence (kept while following). */
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  /** Only the latest read's answer is shown, should an earlier one come back after it. */
  const latest = useRef(0);
  const name = stream?.name ?? null;
  const kind = stream?.kind ?? null;

  const load = useCallback(() => {
    if (name === null || kind === null) return;
    const request = ++latest.current;
    setLoading(true);
    studio.backend
      .call("peekStream", { name, kind, limit: PEEK_LIMIT })
      .then((answer) => {
        if (request !== latest.current) return;
        setRecords(answer.records);
        setError(null);
        setLoadedAt(Date.now());
      })
      .catch((failure: unknown) => {
        if (request === latest.current) setError(errorDiagnostic(failure).message);
      })
      .finally(() => {
        if (request === latest.current) setLoading(false);
      });
  }, [studio, name, kind]);

  useEffect(() => {
    setRecords(null);
  }, [name, kind]);

  // What the stream took so far: a change while following reads the records again.
  const arrived = follow && stream ? `${stream.recordsIn}/${stream.newestArrivalMs}` : "";
  useEffect(() => {
    load();
  }, [load, arrived]);

  const now = Date.now();
  return (
    <div className="streams-inspector-body" data-testid="peek-panel">
      <div className="streams-toolbar">
        <label className="inline-field">
          <span>Stream</span>
          <select className="input input-sm" value={selected ?? ""} onChange={(event) => onSelect(event.target.value)} data-testid="peek-stream">
            {selected === null && <option value="">Choose a stream…</option>}
            {streams.map((entry) => (
              <option key={streamKey(entry)} value={streamKey(entry)}>
                {entry.name} ({entry.kind === "firehose" ? "Firehose" : "Kinesis"})
              </option>
            ))}
          </select>
        </label>
        <Button size="sm" variant="ghost" icon={<Icon name="refresh" size={14} />} disabled={!stream || loading} onClick={load} data-testid="peek-refresh">
          Refresh
        </Button>
        <label className="checkbox" title="Read the newest records again whenever the stream takes more">
          <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} data-testid="peek-follow" />
          Follow new records
        </label>
        <span className="spacer" />
        <span className="muted">
          {records ? `${records.length === PEEK_LIMIT ? `the ${PEEK_LIMIT} newest` : `${records.length} record${records.length === 1 ? "" : "s"}, newest first`}${loadedAt ? ` · read ${formatArrival(loadedAt, now)}` : ""}` : ""}
        </span>
      </div>
      {error && <div className="callout callout-error">{error}</div>}
      {!stream && <p className="streams-placeholder muted">Choose a stream, or click one's name above, to see the records producers sent.</p>}
      {stream && records === null && !error && <Spinner label="Reading records" />}
      {records?.length === 0 && <p className="streams-placeholder muted">{stream?.name} holds no records yet.</p>}
      {records && records.length > 0 && (
        <div className="streams-table-scroll streams-records-scroll">
          <table className="streams-table streams-records" data-testid="peek-records">
            <caption className="visually-hidden">Newest records of {stream?.name}</caption>
            <thead>
              <tr>
                <th scope="col">Arrival</th>
                <th scope="col">Shard</th>
                <th scope="col" className="numeric">
                  Sequence
                </th>
                <th scope="col">Partition key</th>
                <th scope="col" className="numeric">
                  Size
                </th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {records.map((record) => {
                const id = `${record.shardId}/${record.sequenceNumber}`;
                const open = expanded.has(id);
                const data = open ? prettyData(record.data) : null;
                return (
                  <Fragment key={id}>
                    <tr className={open ? "expanded" : ""} data-testid="peek-record">
                      <td className="nowrap">{formatArrival(record.arrivalMs, now)}</td>
                      <td className="nowrap">
                        <code>{record.shardId}</code>
                      </td>
                      <td className="numeric">
                        <code>{record.sequenceNumber}</code>
                      </td>
                      <td className="nowrap" data-testid="peek-partition-key">
                        <code>{record.partitionKey}</code>
                      </td>
                      <td className="numeric nowrap">{formatBytes(record.bytes)}</td>
                      <td className="streams-preview-cell">
                        <button
                          type="button"
                          className="streams-preview"
                          aria-expanded={open}
                          aria-label={`${open ? "Hide" : "Show"} the data of record ${record.sequenceNumber}`}
                          data-testid="peek-data"
                          onClick={() => toggle(id)}
                        >
                          <Icon name={open ? "chevronDown" : "chevronRight"} size={12} />
                          <code>{compactData(record.data)}</code>
                        </button>
                      </td>
                    </tr>
                    {data && (
                      <tr className="streams-detail-row">
                        <td colSpan={6}>
                          <pre className={`streams-data ${data.json ? "json" : ""}`} tabIndex={0} aria-label={`Data of record ${record.sequenceNumber}`}>
                            {data.text}
                          </pre>
                          {record.bytes > PEEK_BYTES && <span className="muted">The first 4 KiB of {formatBytes(record.bytes)}.</span>}
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${formatNumber(bytes / 1024, 1)} KiB`;
}

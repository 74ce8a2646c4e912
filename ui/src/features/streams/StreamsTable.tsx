import type { StreamDto } from "../../api";
import { formatNumber } from "../../shared/ui";
import { formatAge, streamKey, streamRates, type StatusSample } from "./metrics";

/** The project's streams with their rates in, what they hold and how fresh it is; a name opens its records. */
export function StreamsTable({
  streams,
  samples,
  now,
  selected,
  onSelect,
}: {
  streams: readonly StreamDto[];
  samples: readonly StatusSample[];
  now: number;
  selected: string | null;
  onSelect: (stream: StreamDto) => void;
}) {
  const anyDelivery = streams.some((stream) => stream.kind === "firehose");
  return (
    <div className="streams-table-scroll">
      <table className="streams-table" data-testid="streams-table">
        <caption className="visually-hidden">Streams of this project</caption>
        <thead>
          <tr>
            <th scope="col">Stream</th>
            <th scope="col">Kind</th>
            <th scope="col" className="numeric">
              Shards
            </th>
            <th scope="col" className="numeric" title="Records per second put, averaged over the last 5 s">
              Records/s in
            </th>
            <th scope="col" className="numeric" title="Kilobytes per second put, averaged over the last 5 s">
              KB/s in
            </th>
            <th scope="col" className="numeric" title="Records the stream holds now (within its retention)">
              Records held
            </th>
            <th scope="col" className="numeric">
              Newest record
            </th>
            {anyDelivery && <th scope="col">Delivers to</th>}
          </tr>
        </thead>
        <tbody>
          {streams.map((stream) => {
            const key = streamKey(stream);
            const rates = streamRates(samples, key);
            const age = formatAge(stream.newestArrivalMs, now);
            return (
              <tr
                key={key}
                className={selected === key ? "selected" : ""}
                data-testid="stream-row"
                data-name={stream.name}
                data-kind={stream.kind}
              >
                <th scope="row">
                  <button
                    type="button"
                    className="streams-name"
                    title={`Peek at the newest records of ${stream.name}`}
                    aria-pressed={selected === key}
                    onClick={() => onSelect(stream)}
                  >
                    {stream.name}
                  </button>
                </th>
                <td>
                  <span className={`pill ${stream.kind === "firehose" ? "pill-accent" : ""}`}>{stream.kind === "firehose" ? "Firehose" : "Kinesis"}</span>
                </td>
                <td className="numeric">{stream.kind === "firehose" ? "—" : stream.shards}</td>
                <td className="numeric" data-testid="stream-rate" title={rates ? undefined : "Measured from the next poll on"}>
                  {rates ? formatNumber(rates.recordsPerSecond, rates.recordsPerSecond < 10 ? 1 : 0) : "…"}
                </td>
                <td className="numeric" title={rates ? undefined : "Measured from the next poll on"}>
                  {rates ? formatNumber(rates.bytesPerSecond / 1024, 1) : "…"}
                </td>
                <td className="numeric" data-testid="stream-held">
                  {formatNumber(stream.recordsHeld, 0)}
                </td>
                <td className="numeric" title={stream.newestArrivalMs > 0 ? new Date(stream.newestArrivalMs).toLocaleString() : "No records yet"}>
                  {age ?? <span className="muted">no records</span>}
                </td>
                {anyDelivery && <td data-testid="stream-delivery">{stream.deliveryTable ? <code>{stream.deliveryTable}</code> : <span className="muted">—</span>}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

import { Fragment } from "react";
import type { StreamConsumerDto, StreamDto } from "../../api";
import { formatNumber } from "../../shared/ui";
import { deliveryStreamOf } from "./errors";
import { consumerLag, formatAge, lagSeries, lagText, type StatusSample } from "./metrics";
import { Sparkline } from "./Sparkline";

/**
 * Streaming views and Firehose deliveries: how far behind their stream each is (now, and over the
 * last minute), what it took and set aside (a click lists those records), and its last error.
 */
export function ConsumersTable({
  consumers,
  streams,
  samples,
  now,
  onShowErrors,
}: {
  consumers: readonly StreamConsumerDto[];
  streams: readonly StreamDto[];
  samples: readonly StatusSample[];
  now: number;
  onShowErrors: (consumer: StreamConsumerDto) => void;
}) {
  return (
    <div className="streams-table-scroll">
      <table className="streams-table" data-testid="consumers-table">
        <caption className="visually-hidden">Streaming views and deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Consumer</th>
            <th scope="col">Reads</th>
            <th scope="col" title="Arrival of the stream's newest record minus that of the newest record the consumer took">
              Lag
            </th>
            <th scope="col">Last minute</th>
            <th scope="col" className="numeric" title="Records taken since the studio opened the project">
              Records taken
            </th>
            <th scope="col" className="numeric" title="Records set aside with the warehouse's reason; click to list them">
              Rejected
            </th>
            <th scope="col" className="numeric">
              Last refresh
            </th>
          </tr>
        </thead>
        <tbody>
          {consumers.map((consumer) => {
            const delivery = deliveryStreamOf(consumer.name);
            const table = delivery ? streams.find((stream) => stream.kind === "firehose" && stream.name === delivery)?.deliveryTable : null;
            const lag = consumerLag(consumer);
            return (
              <Fragment key={consumer.name}>
                <tr className={consumer.lastError ? "has-error" : ""} data-testid="consumer-row" data-name={consumer.name}>
                  <th scope="row">
                    <span className="streams-consumer">
                      <code>{delivery ? (table ?? delivery) : consumer.name}</code>
                      <span className="pill">{delivery ? "delivery" : consumer.autoRefresh ? "auto refresh" : "manual refresh"}</span>
                    </span>
                  </th>
                  <td>
                    <code>{consumer.stream}</code>
                  </td>
                  <td className={`streams-lag lag-${lag.kind}`} data-testid="consumer-lag">
                    {lagText(lag)}
                  </td>
                  <td className="streams-spark-cell">
                    <Sparkline points={lagSeries(samples, consumer.name, now)} now={now} />
                  </td>
                  <td className="numeric" data-testid="consumer-records">
                    {formatNumber(consumer.records, 0)}
                  </td>
                  <td className="numeric">
                    {consumer.rejected > 0 ? (
                      <button
                        type="button"
                        className="streams-rejected"
                        data-testid="consumer-rejected"
                        aria-label={`${consumer.rejected} rejected: show ${delivery ? "load" : "scan"} errors of ${consumer.name}`}
                        onClick={() => onShowErrors(consumer)}
                      >
                        {formatNumber(consumer.rejected, 0)}
                      </button>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                  <td className="numeric">{formatAge(consumer.lastRefreshMs, now) ?? <span className="muted">never</span>}</td>
                </tr>
                {consumer.lastError && (
                  <tr className="streams-error-row">
                    <td colSpan={7} data-testid="consumer-error">
                      <span className="streams-error-text">
                        <strong>Last error</strong> {consumer.lastError}
                      </span>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

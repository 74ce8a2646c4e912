import { useState } from "react";
import type { StreamConsumerDto, StreamDto } from "../../api";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Spinner } from "../../shared/ui";
import { ConsumersTable } from "./ConsumersTable";
import { CodeBlock } from "./Copy";
import { EndpointHeader } from "./EndpointHeader";
import { ErrorsPanel } from "./ErrorsPanel";
import { deliveryStreamOf, type ErrorTable } from "./errors";
import { GettingStarted } from "./GettingStarted";
import { streamKey } from "./metrics";
import { PeekPanel } from "./PeekPanel";
import { viewDdl } from "./snippets";
import { StreamsTable } from "./StreamsTable";
import { useStreamsStatus } from "./useStreamsStatus";
import "./streams.css";

type Inspector = "peek" | ErrorTable;

/**
 * The stream console: the endpoint producers send to, the project's streams with their rates,
 * the views and deliveries reading them with their lag, and below, one stream's newest records or
 * the records the consumers set aside. Polled every second while the tab is open and the window
 * visible.
 */
export function StreamsView() {
  const studio = useStudioInstance();
  const root = useStudio((state) => state.project?.root ?? "");
  const { samples, error, live } = useStreamsStatus(studio, root);
  const status = samples.at(-1)?.status ?? null;
  const [picked, setPicked] = useState<string | null>(null);
  const [inspector, setInspector] = useState<Inspector>("peek");
  const [errorsOf, setErrorsOf] = useState<string | null>(null);
  const now = samples.at(-1)?.at ?? Date.now();

  const streams = status?.streams ?? [];
  const consumers = status?.consumers ?? [];
  // The stream peeked at: the one picked while it exists, else the first.
  const selected = streams.some((stream) => streamKey(stream) === picked) ? picked : streams[0] ? streamKey(streams[0]) : null;
  const scanRejected = consumers.filter((consumer) => !deliveryStreamOf(consumer.name)).reduce((sum, consumer) => sum + consumer.rejected, 0);
  const loadRejected = consumers.filter((consumer) => deliveryStreamOf(consumer.name)).reduce((sum, consumer) => sum + consumer.rejected, 0);
  const hasDeliveries = streams.some((stream) => stream.kind === "firehose") || loadRejected > 0;

  const peek = (stream: StreamDto) => {
    setPicked(streamKey(stream));
    setInspector("peek");
  };
  const showErrors = (consumer: StreamConsumerDto) => {
    const delivery = deliveryStreamOf(consumer.name);
    setInspector(delivery ? "load" : "scan");
    setErrorsOf(delivery ?? consumer.name);
  };
  const pickInspector = (next: Inspector) => {
    setInspector(next);
    setErrorsOf(null);
  };
  const tabs: Array<{ id: Inspector; label: string; count: number }> = [
    { id: "peek", label: "Peek", count: 0 },
    { id: "scan", label: "Scan errors", count: scanRejected },
    ...(hasDeliveries ? [{ id: "load" as const, label: "Load errors", count: loadRejected }] : []),
  ];
  const firstKinesis = streams.find((stream) => stream.kind === "kinesis");

  return (
    <div className="streams" data-testid="streams-view">
      <EndpointHeader endpoint={status?.endpoint ?? null} endpointError={status?.endpointError ?? null} known={status !== null} live={live} error={error} />
      <div className="streams-body">
        {error && (
          <div className="callout callout-error" role="alert" data-testid="streams-error">
            <span>
              {error.code}: {error.message}
            </span>
            {error.hint && <span className="muted">{error.hint}</span>}
          </div>
        )}
        {!status && !error && (
          <div className="center-fill">
            <Spinner label="Reading the project's streams" />
          </div>
        )}
        {status && streams.length === 0 && <GettingStarted endpoint={status.endpoint} onOpenConsole={() => studio.showQuery()} />}
        {status && streams.length > 0 && (
          <>
            <section className="streams-section" aria-labelledby="streams-title">
              <h2 id="streams-title">
                Streams <span className="count-badge">{streams.length}</span>
              </h2>
              <StreamsTable streams={streams} samples={samples} now={now} selected={selected} onSelect={peek} />
            </section>
            <section className="streams-section" aria-labelledby="consumers-title">
              <h2 id="consumers-title">
                Views and deliveries <span className="count-badge">{consumers.length}</span>
              </h2>
              {consumers.length > 0 ? (
                <ConsumersTable consumers={consumers} streams={streams} samples={samples} now={now} onShowErrors={showErrors} />
              ) : (
                <div className="streams-hint" data-testid="consumers-empty">
                  <p className="muted">
                    Nothing reads these streams yet. A streaming materialized view takes their records into the warehouse as they arrive; create one
                    in the{" "}
                    <button type="button" className="link" onClick={() => studio.showQuery()}>
                      query console
                    </button>
                    :
                  </p>
                  <CodeBlock code={viewDdl(firstKinesis?.name ?? "orders")} what="the view's DDL" label="Query console (Redshift SQL)" />
                </div>
              )}
            </section>
            <section className="streams-section streams-inspector" aria-label="Records">
              <div
                className="segmented"
                role="tablist"
                aria-label="Records to inspect"
                onKeyDown={(event) => {
                  // Arrow keys move between the tabs, as in any tab list.
                  if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
                  const index = tabs.findIndex((tab) => tab.id === inspector);
                  const next = tabs[(index + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
                  if (!next) return;
                  event.preventDefault();
                  pickInspector(next.id);
                  document.getElementById(`streams-tab-${next.id}`)?.focus();
                }}
              >
                {tabs.map((tab) => (
                  <button
                    key={tab.id}
                    type="button"
                    role="tab"
                    id={`streams-tab-${tab.id}`}
                    aria-selected={inspector === tab.id}
                    tabIndex={inspector === tab.id ? 0 : -1}
                    aria-controls="streams-inspector-panel"
                    className={inspector === tab.id ? "active" : ""}
                    data-testid={`streams-tab-${tab.id}`}
                    onClick={() => pickInspector(tab.id)}
                  >
                    {tab.label}
                    {tab.count > 0 && <span className="count-badge danger">{tab.count}</span>}
                  </button>
                ))}
              </div>
              <div id="streams-inspector-panel" role="tabpanel" aria-labelledby={`streams-tab-${inspector}`}>
                {inspector === "peek" ? (
                  <PeekPanel streams={streams} selected={selected} onSelect={setPicked} />
                ) : (
                  <ErrorsPanel
                    key={inspector}
                    table={inspector}
                    consumer={errorsOf}
                    version={inspector === "scan" ? scanRejected : loadRejected}
                    onClearFilter={() => setErrorsOf(null)}
                  />
                )}
              </div>
            </section>
          </>
        )}
      </div>
    </div>
  );
}

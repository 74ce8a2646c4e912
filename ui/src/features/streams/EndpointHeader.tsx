import type { DiagnosticDto } from "../../api";
import { CopyButton } from "./Copy";
import { environmentHint } from "./snippets";

/**
 * The console's heading: whether the numbers below are live, where producers send (with copy
 * buttons and the one line that points an AWS producer here), and why there is no endpoint when
 * there is none.
 */
export function EndpointHeader({
  endpoint,
  endpointError,
  known,
  live,
  error,
}: {
  /** The served endpoint; null when the engine serves none. */
  endpoint: string | null;
  /** Why the engine could not serve it, when it tried. */
  endpointError: string | null;
  /** False until the first answer: nothing is said about the endpoint before. */
  known: boolean;
  live: boolean;
  error: DiagnosticDto | null;
}) {
  return (
    <header className="streams-header">
      <div className="streams-title-row">
        <h1>Streams</h1>
        <span className="muted">Kinesis Data Streams and Firehose, served locally for this project</span>
        <span className="spacer" />
        <span
          className={`streams-live ${live && !error ? "on" : ""}`}
          title={error ? "The last poll failed; polling goes on every second" : live ? "Polled every second while this tab is open" : "Paused while the window is hidden"}
        >
          <span className="streams-live-dot" aria-hidden="true" />
          {error ? "Retrying" : live ? "Live" : "Paused"}
        </span>
      </div>
      {endpoint ? (
        <div className="streams-endpoint" data-testid="streams-endpoint">
          <span className="streams-endpoint-label">Endpoint</span>
          <span className="streams-endpoint-url">
            <code data-testid="streams-endpoint-url">{endpoint}</code>
            <CopyButton text={endpoint} what="the endpoint URL" />
          </span>
          <span className="streams-endpoint-hint muted" title="Any credentials work: nothing leaves this machine">
            Point a producer at it: <code>{environmentHint(endpoint)}</code>
            <CopyButton text={environmentHint(endpoint)} what="the producer command" />
            or pass boto3 <code>endpoint_url</code>
          </span>
        </div>
      ) : (
        known &&
        !error && (
          <div className="streams-endpoint streams-endpoint-missing muted" data-testid="streams-no-endpoint">
            No Kinesis/Firehose endpoint is served for this project, so producers cannot reach it from here.{" "}
            {endpointError ? (
              <span data-testid="streams-endpoint-error">{endpointError}</span>
            ) : (
              <>
                Usually another program (another Kiln, kinesalite or LocalStack) holds the port.
              </>
            )}{" "}
            <code>kiln serve --stream-port 0</code> takes a free one.
          </div>
        )
      )}
    </header>
  );
}

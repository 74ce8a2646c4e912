import { CodeBlock } from "./Copy";
import { DEFAULT_ENDPOINT, producerSnippet, viewDdl } from "./snippets";

/**
 * The console of a project without streams: what a stream is here, and the two steps to one — a
 * producer (boto3, copyable) and the view that turns it into a table (DDL for the query console).
 */
export function GettingStarted({ endpoint, onOpenConsole }: { endpoint: string | null; onOpenConsole: () => void }) {
  const url = endpoint ?? DEFAULT_ENDPOINT;
  return (
    <section className="streams-start" data-testid="streams-empty" aria-labelledby="streams-start-title">
      <h2 id="streams-start-title">No streams yet</h2>
      <p>
        A stream is an ordered log of records that producers keep appending to — clicks, orders, sensor readings. Kiln serves the Amazon Kinesis
        Data Streams and Firehose APIs for this project, so a producer written for AWS sends here unchanged once it is pointed at{" "}
        {endpoint ? <code>{endpoint}</code> : <>the project's endpoint (<code>{DEFAULT_ENDPOINT}</code> by default, once it is served)</>}. The records are kept on disk under <code>.kiln/streams</code>, and Redshift's streaming ingestion turns them into a
        materialized view that refreshes as they arrive.
      </p>
      <div className="streams-steps">
        <div className="streams-step">
          <h3>
            <span className="streams-step-number">1</span> Send records
          </h3>
          <p className="muted">With boto3 (any credentials do; nothing leaves this machine):</p>
          <CodeBlock code={producerSnippet(url, "orders")} what="the boto3 producer" label="producer.py" />
        </div>
        <div className="streams-step">
          <h3>
            <span className="streams-step-number">2</span> Read them as a view
          </h3>
          <p className="muted">
            In the{" "}
            <button type="button" className="link" onClick={onOpenConsole}>
              query console
            </button>
            ; records the view cannot parse are set aside in <code>kiln_stream.scan_errors</code>:
          </p>
          <CodeBlock code={viewDdl("orders")} what="the view's DDL" label="Query console (Redshift SQL)" />
        </div>
      </div>
      <p className="muted">Streams, their rates, the views' lag and the records they set aside show up here as soon as a producer creates its stream.</p>
    </section>
  );
}

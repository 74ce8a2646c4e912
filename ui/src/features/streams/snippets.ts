/** What the stream console offers to copy: how to point a producer at the endpoint, and the DDL of a view. */

/** The endpoint when none is served: the port `kiln serve` and the desktop app use by default. */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:4577";

/** The one line that sends an unchanged AWS producer here (the SDKs read AWS_ENDPOINT_URL). */
export function environmentHint(endpoint: string): string {
  return `AWS_ENDPOINT_URL=${endpoint} python producer.py`;
}

/** A boto3 producer for the local endpoint: any credentials do, nothing leaves the machine. */
export function producerSnippet(endpoint: string, stream: string): string {
  return `import json
import boto3

kinesis = boto3.client(
    "kinesis",
    endpoint_url="${endpoint}",
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
)
kinesis.create_stream(StreamName="${stream}", ShardCount=1)
kinesis.put_record(
    StreamName="${stream}",
    PartitionKey="order-1",
    Data=json.dumps({"order_id": 1, "amount": 9.5}),
)
`;
}

/** A name for a view of `stream` that SQL takes unquoted. */
export function viewNameFor(stream: string): string {
  const name = stream.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  return `${/^[a-z_]/.test(name) ? name : `s_${name}`}_view`;
}

/** Redshift's streaming ingestion DDL, which the query console runs against the local streams. */
export function viewDdl(stream: string): string {
  return `CREATE EXTERNAL SCHEMA kinesis_schema FROM KINESIS IAM_ROLE default;

CREATE MATERIALIZED VIEW ${viewNameFor(stream)} AUTO REFRESH YES AS
SELECT approximate_arrival_timestamp,
       partition_key,
       shard_id,
       sequence_number,
       JSON_PARSE(from_varbyte(kinesis_data, 'utf-8')) AS payload
FROM kinesis_schema.${/^[a-z_][a-z0-9_]*$/i.test(stream) ? stream : `"${stream}"`};
`;
}

{{ config(materialized='materialized_view', auto_refresh=true) }}
-- The workshop's first streaming materialized view (create_mv.sql), as written: the whole JSON
-- payload kept as a SUPER value, navigated downstream (customer_data.state::VARCHAR).
SELECT ApproximateArrivalTimestamp,
JSON_PARSE(from_varbyte(Data, 'utf-8')) as customer_data
FROM kinesis_schema.customer_stream
WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'))

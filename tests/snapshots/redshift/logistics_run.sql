create schema if not exists "logistics";
create materialized view "logistics"."customer_stream"
auto refresh yes
as (

-- The workshop's first streaming materialized view (create_mv.sql), as written: the whole JSON
-- payload kept as a SUPER value, navigated downstream (customer_data.state::VARCHAR).
SELECT ApproximateArrivalTimestamp,
JSON_PARSE(from_varbyte(Data, 'utf-8')) as customer_data
FROM kinesis_schema.customer_stream
WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'))
);
create schema if not exists "logistics";
create materialized view "logistics"."order_stream"
auto refresh yes
as (

-- The workshop's second streaming materialized view (create_mv.sql), as written: each field of
-- the JSON order extracted and cast to a column.
SELECT ApproximateArrivalTimestamp,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'consignmentid', true) AS BIGINT) as consignmentid,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'timestamp', true) AS VARCHAR(50)) as order_timestamp,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'delivery_address', true) AS VARCHAR(100)) as delivery_address,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'delivery_state', true) AS VARCHAR(50)) as delivery_state,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'origin_address', true) AS VARCHAR(100)) as origin_address,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'origin_state', true) AS VARCHAR(50)) as origin_state,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'delay_probability', true) AS VARCHAR(10)) as delay_probability,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'days_to_deliver', true) AS INT) as days_to_deliver,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'delivery_distance', true) AS FLOAT) as delivery_distance,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'userid', true) AS INT) as userid,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'revenue', true) AS FLOAT) as revenue,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'cost', true) AS FLOAT) as cost
FROM kinesis_schema.order_stream
WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'))
);
create schema if not exists "logistics";
create view "logistics"."consignment_routes__kiln_tmp" as (
-- The workshop's join of its two streams, as written: the busiest consignment routes between
-- states, the customer's state (navigated in the SUPER payload) taken as the origin.
SELECT os.delivery_state, cs.customer_data.state::VARCHAR as origin_state, count(1) AS consignments
FROM "dev"."logistics"."customer_stream" cs
INNER JOIN "dev"."logistics"."order_stream" os ON cs.customer_data.userid::INT = os.userid
GROUP BY os.delivery_state, cs.customer_data.state::VARCHAR
ORDER BY count(1) desc
);
-- begin (one transaction)
alter table "logistics"."consignment_routes__kiln_tmp" rename to "consignment_routes";
-- commit
create schema if not exists "logistics";
create view "logistics"."consignment_predictions__kiln_tmp" as (
-- Every consignment on the order stream as the logistics dashboard reads it: when it was ordered
-- and is due, where from and to (the producers' states keep a leading space: trimmed here), its
-- predicted delay, and what it earns. The workshop's later labs train a Redshift ML model on
-- consignment history to predict the delay; the producer already labels each order with that
-- prediction (delay_probability), and this model carries it, with the customer's company.
SELECT o.consignmentid,
       o.ApproximateArrivalTimestamp AS arrival_time,
       CAST(o.order_timestamp AS TIMESTAMP) AS order_time,
       CAST(CAST(o.order_timestamp AS TIMESTAMP) AS DATE) AS consignment_date,
       CAST(DATEADD(day, o.days_to_deliver, CAST(o.order_timestamp AS TIMESTAMP)) AS DATE) AS expected_delivery_date,
       TRIM(o.origin_state) AS origin_state,
       TRIM(o.delivery_state) AS destination_state,
       o.delay_probability,
       CASE WHEN o.delay_probability = 'HIGH' THEN 1 ELSE 0 END AS high_delay,
       o.days_to_deliver,
       o.delivery_distance,
       o.revenue,
       o.cost,
       o.revenue - o.cost AS profit,
       o.userid,
       c.company
FROM "dev"."logistics"."order_stream" o
LEFT JOIN "dev"."logistics"."customer" c ON c.userid = o.userid
);
-- begin (one transaction)
alter table "logistics"."consignment_predictions__kiln_tmp" rename to "consignment_predictions";
-- commit
create schema if not exists "logistics";
create view "logistics"."fleet_summary__kiln_tmp" as (
-- Per state: the fleet (vehicles on the move and in maintenance), the consignments leaving and
-- arriving, what they earn, how many are likely late, and the load on each moving vehicle.
WITH fleet AS (
    SELECT vehicle_location AS state,
           count(*) AS vehicles,
           sum(CASE WHEN vehicle_status = 'On the move' THEN 1 ELSE 0 END) AS vehicles_on_the_move,
           sum(CASE WHEN vehicle_status LIKE '%maintenance' THEN 1 ELSE 0 END) AS vehicles_in_maintenance
    FROM "dev"."logistics"."fleet"
    GROUP BY vehicle_location
),
outbound AS (
    SELECT origin_state AS state,
           count(*) AS consignments_out,
           sum(revenue) AS revenue_out,
           sum(cost) AS cost_out
    FROM "dev"."logistics"."consignment_predictions"
    GROUP BY origin_state
),
inbound AS (
    SELECT destination_state AS state,
           count(*) AS consignments_in,
           sum(high_delay) AS high_delay_in,
           avg(days_to_deliver) AS avg_days_to_deliver_in
    FROM "dev"."logistics"."consignment_predictions"
    GROUP BY destination_state
)
SELECT s.state,
       s.state_name,
       s.capital,
       s.lat,
       s.long,
       coalesce(f.vehicles, 0) AS vehicles,
       coalesce(f.vehicles_on_the_move, 0) AS vehicles_on_the_move,
       coalesce(f.vehicles_in_maintenance, 0) AS vehicles_in_maintenance,
       coalesce(o.consignments_out, 0) AS consignments_out,
       coalesce(i.consignments_in, 0) AS consignments_in,
       coalesce(i.high_delay_in, 0) AS high_delay_in,
       i.avg_days_to_deliver_in,
       coalesce(o.revenue_out, 0) AS revenue,
       coalesce(o.cost_out, 0) AS cost,
       coalesce(o.revenue_out, 0) - coalesce(o.cost_out, 0) AS profit,
       CAST(coalesce(o.consignments_out, 0) AS FLOAT) / NULLIF(f.vehicles_on_the_move, 0) AS consignments_per_vehicle
FROM "dev"."logistics"."state" s
LEFT JOIN fleet f ON f.state = s.state
LEFT JOIN outbound o ON o.state = s.state
LEFT JOIN inbound i ON i.state = s.state
ORDER BY s.state
);
-- begin (one transaction)
alter table "logistics"."fleet_summary__kiln_tmp" rename to "fleet_summary";
-- commit

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
FROM {{ ref('order_stream') }} o
LEFT JOIN {{ ref('customer') }} c ON c.userid = o.userid

-- The workshop's join of its two streams, as written: the busiest consignment routes between
-- states, the customer's state (navigated in the SUPER payload) taken as the origin.
SELECT os.delivery_state, cs.customer_data.state::VARCHAR as origin_state, count(1) AS consignments
FROM {{ ref('customer_stream') }} cs
INNER JOIN {{ ref('order_stream') }} os ON cs.customer_data.userid::INT = os.userid
GROUP BY os.delivery_state, cs.customer_data.state::VARCHAR
ORDER BY count(1) desc

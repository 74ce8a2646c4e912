-- Per state: the fleet (vehicles on the move and in maintenance), the consignments leaving and
-- arriving, what they earn, how many are likely late, and the load on each moving vehicle.
WITH fleet AS (
    SELECT vehicle_location AS state,
           count(*) AS vehicles,
           sum(CASE WHEN vehicle_status = 'On the move' THEN 1 ELSE 0 END) AS vehicles_on_the_move,
           sum(CASE WHEN vehicle_status LIKE '%maintenance' THEN 1 ELSE 0 END) AS vehicles_in_maintenance
    FROM {{ ref('fleet') }}
    GROUP BY vehicle_location
),
outbound AS (
    SELECT origin_state AS state,
           count(*) AS consignments_out,
           sum(revenue) AS revenue_out,
           sum(cost) AS cost_out
    FROM {{ ref('consignment_predictions') }}
    GROUP BY origin_state
),
inbound AS (
    SELECT destination_state AS state,
           count(*) AS consignments_in,
           sum(high_delay) AS high_delay_in,
           avg(days_to_deliver) AS avg_days_to_deliver_in
    FROM {{ ref('consignment_predictions') }}
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
FROM {{ ref('state') }} s
LEFT JOIN fleet f ON f.state = s.state
LEFT JOIN outbound o ON o.state = s.state
LEFT JOIN inbound i ON i.state = s.state
ORDER BY s.state

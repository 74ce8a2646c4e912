-- How near real-time? The post's latency query as a view: for each reading, when the sensor
-- took it (ts) and when it reached the warehouse (created), and the seconds between.
SELECT ('1970-01-01'::date + ts * interval '1 second') AS recorded_time,
       created AS redshift_time,
       DATEDIFF(seconds, recorded_time, redshift_time) AS diff_seconds
FROM {{ source('sensor', 'message') }}
ORDER BY diff_seconds

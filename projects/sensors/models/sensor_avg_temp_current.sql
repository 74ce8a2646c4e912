-- View 4: Average temperature per sensor over the last 30 minutes (the post's view, tables as
-- ref()/source()). DATEDIFF(minute, …, GETDATE()) is Redshift's; kiln-sql translates it, and the
-- subquery's WHERE uses the select-list alias recorded_time as Redshift allows.
SELECT avg(e.temp) AS avg_temp,
       count(s.guid) AS msg_count,
       s.guid,
       l.lat,
       l.long,
       l.description AS location
FROM {{ ref('sensors') }} f
         INNER JOIN {{ ref('sensor') }} s ON (f.sensor_id = s.id)
         INNER JOIN {{ ref('history') }} h ON (f.history_id = h.id)
         INNER JOIN {{ ref('location') }} l ON (f.location_id = l.id)
         INNER JOIN (SELECT ('1970-01-01'::date + ts * interval '1 second') AS recorded_time,
                            guid,
                            temp
                     FROM {{ source('sensor', 'message') }}
                     WHERE DATEDIFF(minute, recorded_time, GETDATE()) <= 30) e ON (f.message_guid = e.guid)
WHERE s.active IS TRUE
  AND h.action = 'INSTALLED'
GROUP BY s.guid, l.description, l.lat, l.long
ORDER BY avg_temp, s.guid

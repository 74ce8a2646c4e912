-- View 2: Message count per sensor (the post's view, tables as ref()/source()).
SELECT count(e.temp) AS msg_count,
       s.guid,
       l.lat,
       l.long,
       l.description AS location
FROM {{ ref('sensors') }} f
         INNER JOIN {{ ref('sensor') }} s ON (f.sensor_id = s.id)
         INNER JOIN {{ ref('history') }} h ON (f.history_id = h.id)
         INNER JOIN {{ ref('location') }} l ON (f.location_id = l.id)
         INNER JOIN {{ source('sensor', 'message') }} e ON (f.message_guid = e.guid)
WHERE s.active IS TRUE
  AND h.action = 'INSTALLED'
GROUP BY s.guid, l.description, l.lat, l.long
ORDER BY msg_count, s.guid

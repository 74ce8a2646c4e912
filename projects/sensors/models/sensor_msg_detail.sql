-- View 1: Sensor details. The post's view as written, with its tables as ref()/source():
-- every reading joined to the star schema (the sensors fact table and its dimensions).
SELECT ('1970-01-01'::date + e.ts * interval '1 second') AS recorded,
       e.temp,
       s.guid,
       s.sku,
       s.mac,
       l.lat,
       l.long,
       l.description AS location,
       ('1970-01-01'::date + h.serviced * interval '1 second') AS installed,
       e.created AS redshift
FROM {{ ref('sensors') }} f
         INNER JOIN {{ ref('sensor') }} s ON (f.sensor_id = s.id)
         INNER JOIN {{ ref('history') }} h ON (f.history_id = h.id)
         INNER JOIN {{ ref('location') }} l ON (f.location_id = l.id)
         INNER JOIN {{ ref('manufacturer') }} m ON (f.manufacturer_id = m.id)
         INNER JOIN {{ source('sensor', 'message') }} e ON (f.message_guid = e.guid)
WHERE s.active IS TRUE
  AND h.action = 'INSTALLED'
ORDER BY f.id

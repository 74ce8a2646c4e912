-- The streaming data table the Firehose delivery stream `sensors` copies readings into
-- (models/streams.yml, `create_table:`), as the seed post creates it in Redshift. Kiln runs this
-- file when sensor.message does not exist yet; kiln-sql translates it for the local warehouse
-- (IDENTITY becomes a sequence default, DISTKEY/SORTKEY are dropped, 'now' is the current UTC time).
CREATE SCHEMA IF NOT EXISTS sensor;

CREATE TABLE IF NOT EXISTS sensor.message -- streaming data table
(
    id      BIGINT IDENTITY (1, 1),                                  -- message id
    guid    VARCHAR(36)   NOT NULL,                                  -- device guid
    ts      BIGINT        NOT NULL DISTKEY SORTKEY,                  -- epoch in seconds
    temp    NUMERIC(5, 2) NOT NULL,                                  -- temperature reading
    created TIMESTAMP DEFAULT ('now'::text)::timestamp with time zone -- row created at
);

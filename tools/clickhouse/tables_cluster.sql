-- The table flowpol's query (flowpol.sql) reads, on a ClickHouse cluster: each shard keeps its
-- part of the Hubble lines in `hubble_flows_local` (use ReplicatedMergeTree for replicas), and
-- `hubble_flows` is the Distributed table over all of them, the name the query reads.
-- '{cluster}' is the cluster's name in the servers' remote_servers configuration.
CREATE TABLE IF NOT EXISTS hubble_flows_local ON CLUSTER '{cluster}'
(
    line String CODEC(ZSTD(3)),
    time DateTime64(9, 'UTC') MATERIALIZED parseDateTime64BestEffortOrZero(
        if(JSONHas(line, 'flow', 'time'), JSONExtractString(line, 'flow', 'time'), JSONExtractString(line, 'time')), 9, 'UTC'),
    node LowCardinality(String) MATERIALIZED
        if(JSONHas(line, 'node_name'), JSONExtractString(line, 'node_name'), JSONExtractString(line, 'flow', 'node_name'))
)
ENGINE = MergeTree
PARTITION BY toDate(time)
ORDER BY (node, time)
TTL toDateTime(time) + INTERVAL 14 DAY;

CREATE TABLE IF NOT EXISTS hubble_flows ON CLUSTER '{cluster}' AS hubble_flows_local
ENGINE = Distributed('{cluster}', currentDatabase(), hubble_flows_local, rand());

-- Landing the lines, for example:
--   from object storage (the exporter's files, gzip or not):
--     INSERT INTO hubble_flows (line)
--     SELECT line FROM s3('https://BUCKET.s3.amazonaws.com/hubble/*/*.json.gz', 'LineAsString');
--   from Kafka (a topic of Hubble JSON lines), continuously:
--     CREATE TABLE hubble_kafka ON CLUSTER '{cluster}' (line String)
--     ENGINE = Kafka SETTINGS kafka_broker_list = 'kafka:9092', kafka_topic_list = 'hubble-flows',
--              kafka_group_name = 'clickhouse-hubble', kafka_format = 'LineAsString';
--     CREATE MATERIALIZED VIEW hubble_kafka_to_flows ON CLUSTER '{cluster}' TO hubble_flows_local
--     AS SELECT line FROM hubble_kafka;

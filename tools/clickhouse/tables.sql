-- The table flowpol's query (flowpol.sql) reads, on a single ClickHouse server: Hubble flows as
-- `hubble observe -o json` or the Hubble exporter writes them, one JSON line per row, kept as
-- written (the query reads the members it needs; nothing Hubble adds later is lost).
-- For a cluster, see tables_cluster.sql: the same columns, and a Distributed table of this name.
CREATE TABLE IF NOT EXISTS hubble_flows
(
    -- One line: an envelope {"flow": {...}, "node_name", "time"} or a bare flow object.
    line String CODEC(ZSTD(3)),
    -- When it was seen (the flow's time, else the envelope's), for partitions and expiry.
    time DateTime64(9, 'UTC') MATERIALIZED parseDateTime64BestEffortOrZero(
        if(JSONHas(line, 'flow', 'time'), JSONExtractString(line, 'flow', 'time'), JSONExtractString(line, 'time')), 9, 'UTC'),
    -- The node that printed it.
    node LowCardinality(String) MATERIALIZED
        if(JSONHas(line, 'node_name'), JSONExtractString(line, 'node_name'), JSONExtractString(line, 'flow', 'node_name'))
)
ENGINE = MergeTree
PARTITION BY toDate(time)
ORDER BY (node, time)
TTL toDateTime(time) + INTERVAL 14 DAY;

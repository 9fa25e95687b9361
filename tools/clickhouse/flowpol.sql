-- flowpol's query: Hubble flows (table `hubble_flows`, one JSON line per row in column `line`,
-- see tables.sql) to flowpol flow records, one per (client, server, port, protocol, minute),
-- as JSON lines. Run it with `FORMAT TSVRaw` (clickhouse-client --format TSVRaw, or
-- tools/clickhouse/aggregate, which runs this file unchanged in chDB).
--
-- The connection rules are the engine's (src/engine/ingest/connection.rs, undecided.rs,
-- tally.rs); docs/scale-out.md ("Where the counts can differ") says where they can differ.
-- The table is read once: the later steps work on per-path aggregates, small next to the lines.
SELECT record
FROM
(
    -- 5. One record per communication and minute: the connections its busiest vantage point
    --    counted there (count 0: only packets of connections already open, no start).
    SELECT
        src,
        dst,
        protocol,
        port,
        minute,
        countEqual(best_minutes, minute) AS connections,
        concat('{"src":', src, ',"dst":', dst_named, ',"port":', toString(port), ',"protocol":"', protocol,
               '","count":', toString(connections), ',"time":"',
               formatDateTime(toDateTime(minute * 60, 'UTC'), '%Y-%m-%dT%H:%i:00Z', 'UTC'), '"}') AS record
    FROM
    (
        SELECT
            src,
            dst,
            protocol,
            port,
            names,
            -- The vantage point with the most connections (ties: the greatest name).
            arraySort(arrayDistinct(starts.1)) AS vantages,
            arrayMap(v -> countEqual(starts.1, v), vantages) AS totals,
            vantages[indexOf(totals, arrayMax(totals))] AS best,
            arrayFilter(s -> s.1 = best, starts).2 AS best_minutes,
            arrayJoin(arrayDistinct(arrayConcat(best_minutes, open_minutes))) AS minute,
            if(empty(names), dst,
               concat(substring(dst, 1, length(dst) - 1), ',"names":', toJSONString(arraySlice(arraySort(names), 1, 16)), '}')) AS dst_named
        FROM
        (
            -- 4. Per communication (client, server as the flows describe them, protocol, port):
            --    every connection as (vantage, minute), the minutes of packets of connections
            --    already open, and the server's DNS names.
            SELECT
                src,
                server AS dst,
                protocol,
                port,
                groupArrayArray(arrayMap(m -> (vantage, m), connection_minutes)) AS starts,
                groupUniqArrayArray(open_path_minutes) AS open_minutes,
                groupUniqArrayArray(arrayConcat(path_names, answer_names)) AS names
            FROM
            (
                -- 3. Each path's packets decided: starts (and datagrams going first) become
                --    connections, a start's retransmissions within 130 s of another joining it;
                --    packets going a connection's way without starting it are evidence.
                SELECT
                    src,
                    -- A connection seen before DNAT (to a ClusterIP) and after it (the same client
                    -- address and port within 130 s) counts where it arrived, at the vantage point
                    -- that saw it before.
                    role IN ('start', 'datagram') AND before_dnat AND NOT empty(arrivals) AS redirected,
                    if(redirected, arrayMap(t -> arraySort(a -> abs(a.1 - t), arrivals)[1], times), []) AS nearest,
                    if(redirected,
                       arrayMap((t, n) -> if(abs(n.1 - t) <= 130000000000, (n.2, n.3), (dst, dst_port)), times, nearest),
                       []) AS targets,
                    arrayJoin(if(redirected, arrayDistinct(targets), [(dst, dst_port)])) AS target,
                    target.1 AS server,
                    protocol,
                    target.2 AS port,
                    vantage,
                    counted,
                    if(counted = 'start', arraySort(if(redirected, arrayFilter((t, g) -> g = target, times, targets), times)), []) AS sorted,
                    arrayMap(t -> intDiv(t, 60000000000),
                             arrayFilter((t, i) -> i = 1 OR t - sorted[i - 1] > 130000000000, sorted, arrayEnumerate(sorted)))
                        AS connection_minutes,
                    if(counted = 'evidence', path_minutes, []) AS open_path_minutes,
                    if(counted IN ('start', 'evidence'), path_names, []) AS path_names,
                    if(counted IN ('start', 'evidence'), answer_names, []) AS answer_names
                FROM
                (
                    SELECT
                        *,
                        (src_ip, src_port) <= (dst_ip, dst_port) AS up,
                        -- Per direction of the connection: a known way (a start or evidence
                        -- this way, a reply the other), datagrams left undecided, the first
                        -- undecided packet.
                        max((role IN ('start', 'ongoing') AND up) OR (role = 'reply' AND NOT up)) OVER conn AS known_up,
                        max((role IN ('start', 'ongoing') AND NOT up) OR (role = 'reply' AND up)) OVER conn AS known_down,
                        max(role = 'datagram' AND up) OVER conn AS datagram_up,
                        max(role = 'datagram' AND NOT up) OVER conn AS datagram_down,
                        minIf(first_time, role IN ('stream', 'datagram') AND up) OVER conn AS first_up,
                        minIf(first_time, role IN ('stream', 'datagram') AND NOT up) OVER conn AS first_down,
                        if(up, known_up, known_down) AS known_mine,
                        if(up, known_down, known_up) AS known_back,
                        if(up, datagram_up, datagram_down) AS datagram_mine,
                        if(up, datagram_down, datagram_up) AS datagram_back,
                        if(up, first_up, first_down) AS first_mine,
                        if(up, first_down, first_up) AS first_back,
                        -- A datagram path whose way back, also undecided, came first (within
                        -- 120 s) replies to it; seen at the same instant, the lower port replies.
                        if(first_mine != first_back,
                           first_mine - first_back BETWEEN 1 AND 120000000000,
                           src_port < dst_port) AS replies,
                        multiIf(
                            role = 'start', 'start',
                            role = 'ongoing', 'evidence',
                            role NOT IN ('stream', 'datagram'), '',
                            known_mine, if(role = 'datagram', 'start', 'evidence'),
                            known_back OR NOT datagram_mine, '',
                            datagram_back, if(replies, '', 'start'),
                            src_port < 32768 AND dst_port >= 32768, '',
                            'start') AS counted,
                        groupUniqArrayArray(answers) OVER answered AS answer_names,
                        -- Where the connections of this client address and port through this
                        -- Service arrived after DNAT (at a pod), and when.
                        groupArrayArrayIf(arrayMap(t -> (t, dst, dst_port), times),
                                          via_service != '' AND role IN ('start', 'datagram') AND NOT before_dnat)
                            OVER client_port AS arrivals
                    FROM
                    (
                        -- 2. Per path (addresses, ports, protocol), endpoints as described,
                        --    vantage point (for starts) and role: the start times, the minutes
                        --    of other packets, the DNS names.
                        SELECT
                            protocol,
                            src_ip,
                            src_port,
                            dst_ip,
                            dst_port,
                            any(src_endpoint) AS src,
                            any(dst_endpoint) AS dst,
                            vantage,
                            role,
                            groupArrayIf(time, role IN ('start', 'datagram')) AS times,
                            groupUniqArrayIf(intDiv(time, 60000000000), role IN ('ongoing', 'stream')) AS path_minutes,
                            min(time) AS first_time,
                            groupUniqArrayArray(names) AS path_names,
                            groupUniqArrayArray(answer) AS answers,
                            max(to_cluster_ip) AS before_dnat,
                            max(service) AS via_service
                        FROM
                        (
                            -- 1. Each Hubble line: what it means for connection counting.
                            SELECT
                                -- The members of the envelope's flow, or of the bare flow (one parse).
                                JSONExtractKeysAndValuesRaw(line, 'flow') AS enveloped,
                                CAST(if(empty(enveloped), JSONExtractKeysAndValuesRaw(line), enveloped), 'Map(String, String)') AS m,
                                -- A member under either protojson name; JSON null is absent.
                                multiIf(m['IP'] NOT IN ('', 'null'), m['IP'], m['ip']) AS ip,
                                CAST(JSONExtractKeysAndValuesRaw(m['l4']), 'Map(String, String)') AS l4,
                                multiIf(l4['TCP'] NOT IN ('', 'null'), ('TCP', l4['TCP']),
                                        l4['tcp'] NOT IN ('', 'null'), ('TCP', l4['tcp']),
                                        l4['UDP'] NOT IN ('', 'null'), ('UDP', l4['UDP']),
                                        l4['udp'] NOT IN ('', 'null'), ('UDP', l4['udp']),
                                        l4['SCTP'] NOT IN ('', 'null'), ('SCTP', l4['SCTP']),
                                        l4['sctp'] NOT IN ('', 'null'), ('SCTP', l4['sctp']),
                                        ('', '')) AS transport,
                                transport.1 AS protocol,
                                JSONExtractString(ip, 'source') AS src_ip,
                                JSONExtractString(ip, 'destination') AS flow_dst_ip,
                                toUInt16(greatest(JSONExtractUInt(transport.2, 'source_port'), JSONExtractUInt(transport.2, 'sourcePort'))) AS src_port,
                                toUInt16(greatest(JSONExtractUInt(transport.2, 'destination_port'), JSONExtractUInt(transport.2, 'destinationPort'))) AS dst_port,
                                JSONType(transport.2, 'flags') = 'Object' AS has_flags,
                                JSONExtractBool(transport.2, 'flags', 'SYN') AS syn,
                                JSONExtractBool(transport.2, 'flags', 'ACK') AS ack,
                                -- `is_reply`, else the older `reply`: 'true', 'false', or '' (unknown).
                                multiIf(m['is_reply'] IN ('true', 'false'), m['is_reply'],
                                        m['isReply'] IN ('true', 'false'), m['isReply'],
                                        m['reply'] IN ('true', 'false'), m['reply'], '') AS is_reply,
                                JSONExtractInt(multiIf(m['event_type'] NOT IN ('', 'null'), m['event_type'], m['eventType']), 'type') AS event_type,
                                multiIf(m['l7'] NOT IN ('', 'null'), m['l7'], '') AS l7,
                                JSONExtractString(multiIf(m['Type'] != '', m['Type'], m['type'])) = 'L7' OR l7 != '' OR event_type = 129 AS is_l7,
                                JSONExtractString(m['trace_observation_point']) || JSONExtractString(m['traceObservationPoint']) AS point,
                                JSONExtractString(m['traffic_direction']) || JSONExtractString(m['trafficDirection']) AS direction,
                                -- The engine's rules (connection.rs), in its order.
                                multiIf(
                                    protocol = '', 'skip',
                                    -- An L7 request: is_reply false and no response, or, without
                                    -- is_reply, the type REQUEST.
                                    is_l7, if(if(is_reply = '', JSONExtractString(l7, 'type') = 'REQUEST',
                                                 is_reply = 'false' AND JSONExtractString(l7, 'type') != 'RESPONSE'),
                                              'ongoing', 'skip'),
                                    event_type = 5, 'start',
                                    has_flags AND syn AND NOT ack, 'start',
                                    has_flags AND syn, 'reply',
                                    has_flags AND is_reply = 'false', 'ongoing',
                                    has_flags AND is_reply = 'true', 'reply',
                                    has_flags, 'stream',
                                    is_reply = 'true', 'reply',
                                    is_reply = 'false', 'start',
                                    'datagram') AS flow_role,
                                -- Where it was seen: event kind or observation point, and direction.
                                if(flow_role IN ('start', 'datagram'),
                                   concat(multiIf(event_type = 4, if(point = '', 'TRACE', point),
                                                  event_type = 1, 'Drop', event_type = 5, 'PolicyVerdict', event_type = 129, 'L7',
                                                  concat('Other(', toString(event_type), ')')), '/', direction),
                                   '') AS vantage,
                                toUnixTimestamp64Nano(parseDateTime64BestEffortOrZero(
                                    if(m['time'] NOT IN ('', 'null'), JSONExtractString(m['time']), JSONExtractString(line, 'time')), 9, 'UTC')) AS time,
                                arrayMap(n -> replaceRegexpOne(n, '\\.+$', ''),
                                         JSONExtract(multiIf(m['destination_names'] != '', m['destination_names'], m['destinationNames']), 'Array(String)')) AS names,
                                -- A DNS answer names the addresses it resolved to.
                                replaceRegexpOne(JSONExtractString(l7, 'dns', 'query'), '\\.+$', '') AS query,
                                if(query = '', [], arrayMap(a -> (a, query), JSONExtract(l7, 'dns', 'ips', 'Array(String)'))) AS dns_answers,
                                -- Endpoints as flowpol records name them: a pod by namespace and name
                                -- (its owner resolved from an inventory), labels without a pod by
                                -- namespace and labels, anything else by address.
                                [(src_ip, multiIf(m['source'] NOT IN ('', 'null'), m['source'], '{}')),
                                 (flow_dst_ip, multiIf(m['destination'] NOT IN ('', 'null'), m['destination'], '{}'))] AS raw_endpoints,
                                -- Without labels (an export's field mask kept `identity` only), a
                                -- reserved identity (1 to 10) is its label.
                                arrayMap((ip, w) -> (ip, w.namespace, w.pod_name || w.podName, w.cluster_name || w.clusterName,
                                                     if(empty(w.labels) AND w.identity BETWEEN 1 AND 10,
                                                        [concat('reserved:', ['host', 'world', 'unmanaged', 'health', 'init', 'remote-node',
                                                                              'kube-apiserver', 'ingress', 'world-ipv4', 'world-ipv6'][w.identity])],
                                                        arraySort(w.labels)),
                                                     w.workloads),
                                    raw_endpoints.1,
                                    arrayMap(e -> JSONExtract(e, 'Tuple(namespace String, pod_name String, podName String, cluster_name String, clusterName String, labels Array(String), workloads Array(Tuple(name String, kind String)), identity UInt32)'),
                                        raw_endpoints.2)) AS parsed,
                                arrayMap(p -> (
                                    arrayFilter(l -> startsWith(l, 'k8s:') AND position(l, '=') > 0, p.5) AS k8s,
                                    arrayExists(l -> startsWith(l, 'reserved:'), p.5) AS reserved,
                                    if(p.2 != '', p.2, arrayFirst(l -> startsWith(l, 'k8s:io.kubernetes.pod.namespace='), k8s)) AS ns_label,
                                    if(p.2 != '', p.2, substring(ns_label, length('k8s:io.kubernetes.pod.namespace=') + 1)) AS namespace,
                                    p.2 != '' AND p.3 != '' AS is_pod,
                                    NOT is_pod AND NOT reserved AND NOT empty(k8s) AND namespace != '' AS by_labels,
                                    concat('{', arrayStringConcat(arrayFilter(x -> x != '', [
                                        if(p.1 != '', concat('"ip":', toJSONString(p.1)), ''),
                                        if(p.4 != '', concat('"cluster":', toJSONString(p.4)), ''),
                                        if(is_pod OR by_labels, concat('"namespace":', toJSONString(namespace)), ''),
                                        if(is_pod, concat('"pod":', toJSONString(p.3)), ''),
                                        if(is_pod AND NOT empty(p.6) AND p.6[1].name != '' AND p.6[1].kind != '',
                                           concat('"workload":', toJSONString(concat(p.6[1].kind, '/', p.6[1].name))), ''),
                                        if(reserved, concat('"reserved":', toJSONString(arrayMap(l -> substring(l, 10),
                                            arrayFilter(l -> startsWith(l, 'reserved:'), p.5)))), ''),
                                        if((is_pod OR by_labels) AND NOT empty(k8s),
                                           concat('"labels":', toJSONString(mapFromArrays(
                                               arrayMap(l -> substring(l, 5, position(l, '=') - 5), k8s),
                                               arrayMap(l -> substring(l, position(l, '=') + 1), k8s)))), '')
                                    ]), ','), '}')).7, parsed) AS endpoints,
                                -- The Service the connection was addressed through, and whether this
                                -- is its ClusterIP (seen before DNAT).
                                multiIf(m['destination_service'] NOT IN ('', 'null'), m['destination_service'], m['destinationService']) AS service_raw,
                                if(JSONExtractString(service_raw, 'name') = '', '',
                                   concat(JSONExtractString(service_raw, 'namespace'), '/', JSONExtractString(service_raw, 'name'))) AS service,
                                parsed[2].3 = '' AND service != '' AS to_cluster_ip,
                                -- Cilium's health checks are left out, as the engine leaves them.
                                arrayExists(p -> has(p.5, 'reserved:health'), parsed) AS health,
                                if(flow_role = 'reply', '', endpoints[1]) AS src_endpoint,
                                if(flow_role = 'reply', '', endpoints[2]) AS dst_endpoint,
                                arrayJoin(arrayConcat([(1, flow_dst_ip, [])],
                                                      arrayMap(a -> (0, a.1, [a.2]), dns_answers))) AS row,
                                row.1 = 1 AS is_flow,
                                row.3 AS answer,
                                -- A DNS answer's row is kept under the address it names.
                                row.2 AS dst_ip,
                                if(is_flow, flow_role, 'answer') AS role
                            FROM hubble_flows
                            WHERE src_ip != '' AND flow_dst_ip != ''
                        )
                        WHERE (is_flow AND role != 'skip' AND NOT health) OR NOT is_flow
                        GROUP BY
                            is_flow,
                            protocol,
                            src_ip,
                            src_port,
                            dst_ip,
                            dst_port,
                            -- The endpoints as written (long strings), grouped by their hashes.
                            cityHash64(src_endpoint, dst_endpoint),
                            vantage,
                            role
                    )
                    WINDOW
                        conn AS (PARTITION BY protocol, if((src_ip, src_port) <= (dst_ip, dst_port), (src_ip, src_port, dst_ip, dst_port), (dst_ip, dst_port, src_ip, src_port))),
                        answered AS (PARTITION BY dst_ip),
                        client_port AS (PARTITION BY protocol, src_ip, src_port, via_service)
                )
                WHERE counted != '' AND role != 'answer'
            )
            GROUP BY src, server, protocol, port
        )
    )
)
ORDER BY record

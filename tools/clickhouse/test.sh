#!/usr/bin/env bash
# Proves flowpol's ClickHouse query (flowpol.sql, run in chDB by `aggregate`) against flowpol's
# own reading of the raw flows: on the demo capture, on a generated larger one (100,000 lines,
# 139 MB) and on the hand-written edge cases of tests/fixtures/clickhouse/, `flowpol generate`
# writes the same policies, byte for byte, from the aggregate as from the raw Hubble lines, and
# `flowpol inspect` lists the same communications with the same connection counts. On the real capture in tests/fixtures/real/ (traffic
# through a node-local proxy), the policies are the same and the communications too; counts
# may be higher in the aggregate, as docs/scale-out.md says ("Where the counts can differ").
# Uses $FLOWPOL_CLI (default target/debug/flowpol); builds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$FLOWPOL_ROOT"
flowpol="${FLOWPOL_CLI:-$FLOWPOL_ROOT/target/debug/flowpol}"
aggregate="$FLOWPOL_ROOT/tools/clickhouse/aggregate"
[ -x "$flowpol" ] || { echo "clickhouse test: no $flowpol (cargo build --bin flowpol)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# The communications `flowpol inspect` lists, sorted.
# (Without their L7 request patterns: flowpol's flow records carry connections, not requests.)
communications() {
  "$flowpol" inspect "$@" 2>/dev/null | grep '^  ' | grep -v '^  skipped \|^  error: \|^    L7 ' | sort
}

# compare NAME RAW_DIR: aggregates RAW_DIR/flows.jsonl, then compares policies and counts.
compare() {
  local name=$1 dir=$2 exact=$3
  local inventory=() files=()
  if [ -f "$dir/inventory.json" ]; then
    inventory=(--inventory "$dir/inventory.json"); files=("$dir/inventory.json")
  fi
  "$aggregate" "$dir/flows.jsonl" > "$work/$name.aggregate.jsonl"
  echo "$name: raw $(stat -c %s "$dir/flows.jsonl") bytes, $(wc -l < "$dir/flows.jsonl") lines;" \
    "aggregate $(stat -c %s "$work/$name.aggregate.jsonl") bytes, $(wc -l < "$work/$name.aggregate.jsonl") records"
  "$flowpol" generate "${inventory[@]}" "$dir/flows.jsonl" > "$work/$name.raw.yaml" 2>/dev/null
  "$flowpol" generate "${inventory[@]}" "$work/$name.aggregate.jsonl" > "$work/$name.aggregate.yaml" 2>/dev/null
  if cmp "$work/$name.raw.yaml" "$work/$name.aggregate.yaml"; then
    echo "$name: the same policies ($(grep -c '^kind: NetworkPolicy' "$work/$name.raw.yaml") NetworkPolicies, $(stat -c %s "$work/$name.raw.yaml") bytes)"
  else
    echo "$name: FAILED: the policies differ"; diff "$work/$name.raw.yaml" "$work/$name.aggregate.yaml" | head -20
    failed=1
  fi
  communications ${files[@]+"${files[@]}"} "$dir/flows.jsonl" > "$work/$name.raw.txt"
  communications ${files[@]+"${files[@]}"} "$work/$name.aggregate.jsonl" > "$work/$name.aggregate.txt"
  if [ "$exact" = exact ]; then
    if diff "$work/$name.raw.txt" "$work/$name.aggregate.txt"; then
      echo "$name: the same $(wc -l < "$work/$name.raw.txt") communications with the same counts"
    else
      echo "$name: FAILED: communications or counts differ (< raw, > aggregate)"; failed=1
    fi
  else
    # The same communications; each count at least the raw one.
    if python3 - "$work/$name.raw.txt" "$work/$name.aggregate.txt" <<'EOF'
import re, sys
def read(path):
    rows = {}
    for line in open(path):
        match = re.match(r"\s*(.*?)(?: x(\d+)| \(already open when the capture began\))$", line)
        rows[match.group(1)] = int(match.group(2) or 0)
    return rows
raw, aggregate = read(sys.argv[1]), read(sys.argv[2])
if raw.keys() != aggregate.keys():
    print("communications differ:", sorted(raw.keys() ^ aggregate.keys()))
    sys.exit(1)
lower = [k for k in raw if aggregate[k] < raw[k]]
if lower:
    print("counted lower in the aggregate:", lower)
    sys.exit(1)
higher = [f"{k}: {raw[k]} -> {aggregate[k]}" for k in raw if aggregate[k] > raw[k]]
print(f"{sys.argv[1].split('/')[-1].split('.')[0]}: the same {len(raw)} communications; counted higher in the aggregate (proxy legs): {higher}")
EOF
    then :; else echo "$name: FAILED: communications differ"; failed=1; fi
  fi
}

"$flowpol" demo --out "$work/demo" 2>/dev/null
compare demo "$work/demo" exact
# The table a ClickHouse server keeps (tables.sql), filled with the demo's lines, gives the
# query the same records as the files do. The table is made from tables.sql unchanged (its
# text, TTL included, must run). Its TTL keeps a row 14 days past the row's time by the clock,
# so it would drop the demo's fixed-date lines at insert from 14 days after their date: it is
# checked on lines dated 2000 and 2105 (one dropped, one kept, on any date before 2105), then
# removed for the load, so the check holds on any date. (tools/test.sh reruns this file a year
# ahead under faketime, but libfaketime does not reach chDB's clock: chDB reads it itself.)
# tables_cluster.sql needs a cluster (ON CLUSTER, the '{cluster}' macro, remote_servers), which
# chDB has not: its statements are only parsed, and its local table must be tables.sql's but
# for the name and ON CLUSTER.
if "$FLOWPOL_ROOT/tools/clickhouse/.venv/bin/python" - "$work/demo/flows.jsonl" > "$work/demo.table.jsonl" <<'EOF'
import sys, tempfile
from chdb import session

def statements(path):
    """The statements of an SQL file, comment lines dropped."""
    text = "".join(line for line in open(path) if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]

def quoted(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

with tempfile.TemporaryDirectory() as data:
    chdb = session.Session(data)
    formatted = lambda sql: chdb.query(f"SELECT formatQuery({quoted(sql)})", "TSVRaw").bytes()
    chdb.query(open("tools/clickhouse/tables.sql").read())
    lines = [f'{{"flow":{{"time":"{year}-01-01T00:00:00Z"}},"node_name":"{year}"}}' for year in (2000, 2105)]
    chdb.query("INSERT INTO hubble_flows (line) VALUES " + ", ".join(f"({quoted(l)})" for l in lines))
    chdb.query("OPTIMIZE TABLE hubble_flows FINAL")
    kept = chdb.query("SELECT node FROM hubble_flows ORDER BY node", "TSVRaw").bytes().decode().split()
    if kept != ["2105"]:
        sys.exit(f"demo: FAILED: tables.sql's TTL kept the lines of {kept}, not of 2105 alone")
    print("demo: tables.sql's TTL drops a line of 2000 and keeps one of 2105", file=sys.stderr)
    chdb.query("TRUNCATE TABLE hubble_flows")
    chdb.query("ALTER TABLE hubble_flows REMOVE TTL")
    local, distributed = statements("tools/clickhouse/tables_cluster.sql")
    formatted(distributed)
    as_single = local.replace("hubble_flows_local ON CLUSTER '{cluster}'", "hubble_flows")
    if formatted(as_single) != formatted(statements("tools/clickhouse/tables.sql")[0]):
        sys.exit("demo: FAILED: tables_cluster.sql's hubble_flows_local is not tables.sql's table")
    print("demo: tables_cluster.sql parses; its local table is tables.sql's", file=sys.stderr)
    path = sys.argv[1].replace("\\", "\\\\").replace("'", "\\'")
    chdb.query(f"INSERT INTO hubble_flows (line) SELECT line FROM file('{path}', 'LineAsString')")
    sys.stdout.buffer.write(chdb.query(open("tools/clickhouse/flowpol.sql").read(), "TSVRaw").bytes())
    chdb.close()
EOF
then
  if cmp "$work/demo.table.jsonl" "$work/demo.aggregate.jsonl"; then
    echo "demo: the same records from the table of tables.sql"
  else
    echo "demo: FAILED: the table of tables.sql gives other records"; failed=1
  fi
else
  echo "demo: FAILED: the table of tables.sql"; failed=1
fi
"$flowpol" demo --flows 100000 --seed 7 --out "$work/generated" 2>/dev/null
compare generated "$work/generated" exact
# Hand-written lines for the rules the generated captures rarely or never show (retransmitted
# SYNs, tunnel points, lone datagrams, camelCase bare flows, before and after DNAT, the API
# server, a node, health checks, L7 records, DNS answers), with an inventory.
mkdir "$work/edge"
cp tests/fixtures/clickhouse/edge-cases.jsonl "$work/edge/flows.jsonl"
cp tests/fixtures/clickhouse/edge-cases.inventory.json "$work/edge/inventory.json"
compare edge "$work/edge" exact
mkdir "$work/real"
cp tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl "$work/real/flows.jsonl"
compare real "$work/real" at-least
exit "$failed"

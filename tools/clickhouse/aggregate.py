"""Runs flowpol.sql in chDB over Hubble JSON line files (see `aggregate`).

The query reads the table `hubble_flows` (column `line`), as on a ClickHouse server; here a
view of that name reads the files given, so the query text is the same file, unchanged.
"""

import os
import sys
import tempfile
import time

from chdb import session


def quoted(text):
    """A ClickHouse string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def main(paths):
    for path in paths:
        if not os.path.isfile(path):
            sys.exit(f"aggregate: {path}: no such file")
    sources = " UNION ALL ".join(
        f"SELECT line FROM file({quoted(os.path.abspath(p))}, 'LineAsString')" for p in paths
    )
    query_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flowpol.sql")
    with open(query_path, encoding="utf-8") as f:
        query = f.read()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="flowpol-chdb-") as data:
        chdb = session.Session(data)
        try:
            chdb.query(f"CREATE VIEW hubble_flows AS {sources}")
            result = chdb.query(query, "TSVRaw")
        finally:
            chdb.close()
    out = result.bytes()
    sys.stdout.buffer.write(out)
    records = out.count(b"\n")
    read = sum(os.path.getsize(p) for p in paths)
    seconds = time.monotonic() - started
    print(
        f"aggregate: read {read} bytes in {seconds:.2f} s ({read / seconds / 1e6:.0f} MB/s), "
        f"wrote {records} records ({len(out)} bytes)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(sys.argv[1:])

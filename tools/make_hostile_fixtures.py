#!/usr/bin/env python3
"""Writes tests/fixtures/hostile/: flow logs and an inventory whose strings are hostile.

Names, labels and DNS names hold HTML and SVG markup, script and event-handler attributes,
quotes, right-to-left and zero-width characters, 10,000-character values and YAML-special
strings; numbers where integers belong are huge, negative or fractional; keys are duplicated;
lines hold NUL bytes, end in CRLF, start with a byte-order mark, and the last is cut short.
Each line that is valid says so in `expected.txt` (the tests read it). Run again after a change:
the output is deterministic. Large hostile inputs (deep nesting, a gzip bomb, binary noise) are
made by the tests themselves.
"""
import json
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "hostile")

XSS = '<img src=x onerror="window.__pwned=1">'
SVG = '<svg onload="window.__pwned=1"><script>window.__pwned=1</script></svg>'
QUOTES = "it's \"quoted\" & <b>bold</b>"
RTL = "\u202egnp.exe"  # right-to-left override: renders as "exe.png"
ZERO_WIDTH = "pay\u200bments\u200d"
LONG = "L" * 10_000
YAML_SPECIAL = ["on", "yes", "no", "~", "null", "1.10", "0x1F", "1e3", "- x", ": x", "#x", "*a", "&a", "!tag", "'", '"', "{}", "[]", "@at", "%pc", "`tick`", "2026-12-01"]


def endpoint(namespace, pod, app, workload=None, extra_labels=()):
    labels = [f"k8s:app={app}", f"k8s:io.kubernetes.pod.namespace={namespace}", *extra_labels]
    e = {"ID": 1, "identity": 1, "namespace": namespace, "labels": labels, "pod_name": pod}
    if workload:
        e["workloads"] = [{"name": workload, "kind": "Deployment"}]
    return e


def syn(n, src_ip, dst_ip, src, dst, port, names=None):
    flow = {
        "time": f"2026-11-20T09:00:{n % 60:02d}.000000{n:03d}Z",
        "verdict": "FORWARDED",
        "IP": {"source": src_ip, "destination": dst_ip, "ipVersion": "IPv4"},
        "l4": {"TCP": {"source_port": 40000 + n, "destination_port": port, "flags": {"SYN": True}}},
        "source": src,
        "destination": dst,
        "Type": "L3_L4",
        "node_name": "node-a",
        "traffic_direction": "EGRESS",
        "is_reply": False,
    }
    if names:
        flow["destination_names"] = names
    return {"flow": flow, "node_name": "node-a", "time": flow["time"]}


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = []  # (bytes, expectation)
    client = endpoint("shop", "frontend-abc12-xyz12", "frontend", "frontend")

    def add(obj, expect, raw=None):
        lines.append(((raw if raw is not None else json.dumps(obj, ensure_ascii=False)).encode(), expect))

    # Markup, quotes, bidi and zero-width characters, long values in names and labels.
    hostile_names = [XSS, SVG, QUOTES, RTL, ZERO_WIDTH, LONG]
    for i, name in enumerate(hostile_names):
        server = endpoint("shop", f"{name}-pod", name, name, [f"k8s:team={name}"])
        add(syn(i, "10.244.1.10", f"10.244.2.{i + 1}", client, server, 8080 + i), "flow")
    # A hostile namespace, and YAML-special label values.
    add(syn(10, "10.244.1.10", "10.244.3.1", client, endpoint(XSS, "db-0", "db", "db"), 5432), "flow")
    for i, value in enumerate(YAML_SPECIAL):
        server = endpoint("yaml", f"svc{i}-abc12-xyz12", value, f"svc{i}", [f"k8s:v={value}"])
        add(syn(20 + i, "10.244.1.10", f"10.244.4.{i + 1}", client, server, 9000 + i), "flow")
    # DNS names with markup, to an address outside the cluster.
    world = {"ID": 2, "identity": 2, "labels": ["reserved:world"]}
    add(syn(50, "10.244.1.10", "203.0.113.7", client, world, 443, [f"{XSS}.example.com", "ok.example.com", LONG]), "flow")
    # Numbers where integers belong: huge, negative, fractional ports. Each is a problem.
    for port in ["99999999999999999999", "-1", "80.5", "1e400", "\"80\""]:
        obj = syn(60, "10.244.1.10", "10.244.2.1", client, endpoint("shop", "p", "p"), 1)
        text = json.dumps(obj).replace('"destination_port": 1', f'"destination_port": {port}')
        add(None, "problem", text)
    # Duplicate keys: the last one counts, as in serde_json and JavaScript.
    obj = syn(61, "10.244.1.10", "10.244.2.1", client, endpoint("shop", "dup", "dup", "dup"), 7070)
    text = json.dumps(obj).replace('"verdict": "FORWARDED"', '"verdict": "DROPPED", "verdict": "FORWARDED"')
    add(None, "flow", text)
    # A NUL byte inside a string, escaped (valid JSON) and raw (not valid JSON).
    server = endpoint("shop", "nul\u0000pod", "nul\u0000app", "nul")
    add(syn(62, "10.244.1.10", "10.244.2.9", client, server, 7171), "flow")
    raw = json.dumps(syn(63, "10.244.1.10", "10.244.2.9", client, endpoint("shop", "x", "x"), 7172)).replace("x", "\u0000", 1)
    add(None, "problem", raw.replace("\\u0000", "\x00"))
    # Not JSON at all, and an object nested too deep for any flow.
    add(None, "problem", "<html><script>alert(1)</script></html>")
    add(None, "problem", "[" * 5000 + "]" * 5000)
    # The last line is cut short.
    cut = json.dumps(syn(70, "10.244.1.10", "10.244.2.1", client, endpoint("shop", "c", "c"), 1))
    add(None, "problem", cut[: len(cut) // 2])

    # BOM at the start, CRLF line ends, no newline after the cut last line.
    body = b"\xef\xbb\xbf" + b"\r\n".join(l for l, _ in lines)
    with open(os.path.join(OUT, "hostile-flows.jsonl"), "wb") as f:
        f.write(body)
    with open(os.path.join(OUT, "expected.txt"), "w") as f:
        f.write("# line: what tests/ingest/hostile.rs expects of tests/fixtures/hostile/hostile-flows.jsonl\n")
        for number, (_, expect) in enumerate(lines, 1):
            f.write(f"{number}: {expect}\n")

    # An inventory with hostile names and labels, one item with a bad field.
    items = []
    for i, name in enumerate(hostile_names):
        items.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{name}-pod", "namespace": "shop", "labels": {"app": name, "team": name}},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080 + i}]}]},
            "status": {"podIP": f"10.244.2.{i + 1}"},
        })
    items.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": XSS, "labels": {"team": SVG}}})
    items.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bad", "namespace": "shop"},
                  "spec": {"ports": [{"port": 80, "targetPort": -3}]}})
    with open(os.path.join(OUT, "hostile-inventory.json"), "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f, ensure_ascii=False, indent=1)

    with open(os.path.join(OUT, "NOTICE.txt"), "w") as f:
        f.write("Written by tools/make_hostile_fixtures.py for flowpol's tests (Apache-2.0, as the project).\n")


if __name__ == "__main__":
    main()

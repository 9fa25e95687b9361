#!/usr/bin/env python3
"""Checks generated NetworkPolicy YAML the way a cluster's tools would read it.

    tools/validate_policies.py DIR [--kubernetes-version X.Y.Z]

Every `*.yaml` in DIR (one or more documents) needs a twin `*.json` beside it: a JSON array of
the same documents, the values the YAML is meant to carry. For each file:
  1. PyYAML's safe_load_all (YAML 1.1, as kubectl reads) must give exactly the JSON array,
     types included: a label value `on` read as True, or `1.10` read as the float 1.1, is a
     failure. A key given twice in one mapping (YAML or JSON) is a failure too, since readers
     disagree on which one wins.
  2. Every document must pass kubernetes-validate in strict mode (no unknown fields) against
     the pinned Kubernetes version's schemas. A kind it has no schema for is a failure.
  3. NetworkPolicy documents must pass the API server's own value rules that those schemas
     cannot express (pkg/apis/networking/validation): DNS-1123 names, label syntax, protocol
     TCP/UDP/SCTP, port ranges and names, peers, CIDRs, policyTypes.
One line per failure, `FILE: document N: problem` (N counts from 1), then
`validated N documents in M files`. Exits 1 on any failure, 2 when DIR holds no YAML file.
Runs under tools/.venv (made by `bash tools/setup.sh test`); started by another Python it
switches to that one.
"""
import argparse
import functools
import glob
import ipaddress
import json
import os
import re
import sys

KUBERNETES_VERSION = "1.34.0"
VENV_PYTHON = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".venv", "bin", "python")

try:
    import yaml
    import kubernetes_validate.utils as kv
except ImportError:
    if os.path.exists(VENV_PYTHON) and not os.environ.get("FLOWPOL_VALIDATE_IN_VENV"):
        os.environ["FLOWPOL_VALIDATE_IN_VENV"] = "1"
        os.execv(VENV_PYTHON, [VENV_PYTHON, *sys.argv])
    print("validate_policies.py: needs PyYAML and kubernetes-validate: "
          "run `bash tools/setup.sh test`", file=sys.stderr)
    sys.exit(2)

# kubernetes-validate re-reads the 2 MB schema definitions, and lists its schema folders, for
# every document: do each once (500 documents: 2.5 s instead of 13 s; the checks are unchanged).
for _name in ("schema_contents", "all_versions"):
    if hasattr(kv, _name):
        setattr(kv, _name, functools.lru_cache(maxsize=None)(getattr(kv, _name)))


class UniqueKeySafeLoader(yaml.SafeLoader):
    """yaml.SafeLoader (what safe_load_all uses), but a key given twice is an error."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: SafeLoader itself rejects it
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found duplicate key {key!r}", key_node.start_mark)
        return super().construct_mapping(node, deep)


def json_pairs(pairs):
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate key {duplicates[0]!r}")
    return dict(pairs)


# ---------------------------------------------------------------- 1. YAML reads back exactly

def child(path, key):
    if isinstance(key, int):
        return f"{path}[{key}]"
    if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def describe(value):
    return f"{type(value).__name__} {value!r}"


def differences(got, want, path=""):
    """Where `got` (read from YAML) differs from `want` (from JSON), types included."""
    where = path or "(document)"
    if type(got) is not type(want):  # bool is not int, float is not str, date is not str
        return [f"{where}: YAML reads {describe(got)}, JSON has {describe(want)}"]
    if isinstance(want, dict):
        found = []
        for key in got:
            if not isinstance(key, str):
                found.append(f"{child(path, str(key))}: YAML reads key {describe(key)}, "
                             "not a string")
            elif key not in want:
                found.append(f"{child(path, key)}: in YAML, not in JSON")
        for key in want:
            if key not in got:
                found.append(f"{child(path, key)}: in JSON, not in YAML")
            else:
                found.extend(differences(got[key], want[key], child(path, key)))
        return found
    if isinstance(want, list):
        if len(got) != len(want):
            return [f"{where}: YAML has {len(got)} items, JSON {len(want)}"]
        return [found for i, (g, w) in enumerate(zip(got, want))
                for found in differences(g, w, child(path, i))]
    if got != want:
        return [f"{where}: YAML reads {describe(got)}, JSON has {describe(want)}"]
    return []


# ---------------------------------------------------------------- 2. kubernetes-validate

def schema_problems(document, version):
    try:
        used = kv.validate(document, version, strict=True)
    except kv.ValidationError as e:
        at = functools.reduce(child, e.path, "") or "(document)"
        return [f"{at}: {e.message}"]
    except (kv.SchemaNotFoundError, kv.VersionNotSupportedError, kv.InvalidSchemaError) as e:
        return [e.message]
    except Exception as e:  # noqa: BLE001 - a malformed document (no kind, not a mapping...)
        return [f"cannot be validated: {type(e).__name__}: {e}"]
    if used != kv.major_minor(version):
        return [f"validated against Kubernetes {used}, not the pinned {version}"]
    return []


# ---------------------------------------------------------------- 3. the API server's value rules

DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN = rf"{DNS1123_LABEL}(\.{DNS1123_LABEL})*"
NAME_PART = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"


def bad_subdomain(s):
    return not (len(s) <= 253 and re.fullmatch(DNS1123_SUBDOMAIN, s))


def bad_qualified_name(key):
    parts = key.split("/")
    if len(parts) > 2 or (len(parts) == 2 and (not parts[0] or bad_subdomain(parts[0]))):
        return True
    return not (len(parts[-1]) <= 63 and re.fullmatch(NAME_PART, parts[-1]))


def bad_label_value(value):
    return not (len(value) <= 63 and (value == "" or re.fullmatch(NAME_PART, value)))


def labels_problems(labels, path, values=True):
    found = []
    for key, value in (labels or {}).items():
        if isinstance(key, str) and bad_qualified_name(key):
            found.append(f"{path}: key {key!r} is not a qualified name "
                         "([prefix/]name, at most 63 chars)")
        if values and isinstance(value, str) and bad_label_value(value):
            found.append(f"{child(path, key)}: {value!r} is not a valid label value")
    return found


def selector_problems(selector, path):
    if not isinstance(selector, dict):
        return []
    found = labels_problems(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expression in enumerate(selector.get("matchExpressions") or []):
        at = f"{path}.matchExpressions[{i}]"
        if not isinstance(expression, dict):
            continue
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        if isinstance(key, str) and bad_qualified_name(key):
            found.append(f"{at}.key: {key!r} is not a qualified name")
        if operator in ("In", "NotIn"):
            if not values:
                found.append(f"{at}.values: must be non-empty for operator {operator}")
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                found.append(f"{at}.values: must be empty for operator {operator}")
        else:
            found.append(f"{at}.operator: {operator!r} is not In, NotIn, Exists or DoesNotExist")
        for j, value in enumerate(values):
            if isinstance(value, str) and bad_label_value(value):
                found.append(f"{at}.values[{j}]: {value!r} is not a valid label value")
    return found


def bad_port_number(n):
    return not 1 <= n <= 65535


def bad_port_name(name):
    return not (len(name) <= 15 and re.fullmatch(r"[-a-z0-9]+", name) and re.search(r"[a-z]", name)
                and "--" not in name and not name.startswith("-") and not name.endswith("-"))


def port_problems(port, path):
    if not isinstance(port, dict):
        return []
    found = []
    protocol, number, end = port.get("protocol"), port.get("port"), port.get("endPort")
    if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
        found.append(f"{path}.protocol: {protocol!r} is not TCP, UDP or SCTP")
    if isinstance(number, bool):
        return found  # the schema reports it
    if isinstance(number, int):
        if bad_port_number(number):
            found.append(f"{path}.port: {number} is not between 1 and 65535")
        if isinstance(end, int) and not isinstance(end, bool):
            if end < number:
                found.append(f"{path}.endPort: {end} is less than port {number}")
            if bad_port_number(end):
                found.append(f"{path}.endPort: {end} is not between 1 and 65535")
    elif isinstance(number, str):
        if end is not None:
            found.append(f"{path}.endPort: may not be given with a named port")
        if bad_port_name(number):
            found.append(f"{path}.port: {number!r} is not a port name (IANA_SVC_NAME: "
                         "at most 15 of a-z 0-9 -, with a letter, no -- nor - at an end)")
    elif number is None and end is not None:
        found.append(f"{path}.endPort: may not be given without port")
    return found


def parse_cidr(text):
    """Like Go's net.ParseCIDR: address/prefix-length; None when invalid."""
    if not isinstance(text, str) or not re.fullmatch(r"[^/]+/[0-9]{1,3}", text):
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def peer_problems(peer, path):
    if not isinstance(peer, dict):
        return []
    found = []
    given = [key for key in ("podSelector", "namespaceSelector", "ipBlock")
             if peer.get(key) is not None]
    if not given:
        found.append(f"{path}: must specify a peer (podSelector, namespaceSelector or ipBlock)")
    elif "ipBlock" in given and len(given) > 1:
        found.append(f"{path}: may not specify both ipBlock and another peer")
    for key in ("podSelector", "namespaceSelector"):
        found.extend(selector_problems(peer.get(key), f"{path}.{key}"))
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        cidr = parse_cidr(block.get("cidr"))
        if cidr is None:
            found.append(f"{path}.ipBlock.cidr: {block.get('cidr')!r} is not a CIDR")
        for i, text in enumerate(block.get("except") or []):
            exception = parse_cidr(text)
            if exception is None:
                found.append(f"{path}.ipBlock.except[{i}]: {text!r} is not a CIDR")
            elif cidr is not None and not (exception.version == cidr.version
                                           and exception.network_address in cidr
                                           and cidr.prefixlen < exception.prefixlen):
                found.append(f"{path}.ipBlock.except[{i}]: {text!r} is not a strict subset "
                             f"of cidr {cidr}")
    return found


def network_policy_problems(document):
    found = []
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    name, namespace = metadata.get("name"), metadata.get("namespace")
    if not name and not metadata.get("generateName"):
        found.append("metadata.name: required")
    elif isinstance(name, str) and name and bad_subdomain(name):
        found.append(f"metadata.name: {name!r} is not a DNS-1123 subdomain "
                     "(lower-case a-z 0-9 - ., alphanumeric at both ends, at most 253 chars)")
    if isinstance(namespace, str) and namespace and not (
            len(namespace) <= 63 and re.fullmatch(DNS1123_LABEL, namespace)):
        found.append(f"metadata.namespace: {namespace!r} is not a DNS-1123 label")
    found.extend(labels_problems(metadata.get("labels"), "metadata.labels"))
    found.extend(labels_problems(metadata.get("annotations"), "metadata.annotations", values=False))

    spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
    found.extend(selector_problems(spec.get("podSelector"), "spec.podSelector"))
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            if not isinstance(rule, dict):
                continue
            for j, port in enumerate(rule.get("ports") or []):
                found.extend(port_problems(port, f"spec.{direction}[{i}].ports[{j}]"))
            for j, peer in enumerate(rule.get(peers) or []):
                found.extend(peer_problems(peer, f"spec.{direction}[{i}].{peers}[{j}]"))
    types = spec.get("policyTypes") or []
    if len(types) > 2:
        found.append("spec.policyTypes: may not specify more than two policyTypes")
    else:
        for i, kind in enumerate(types):
            if kind not in ("Ingress", "Egress"):
                found.append(f"spec.policyTypes[{i}]: {kind!r} is not Ingress or Egress")
    return found


# ---------------------------------------------------------------- driver

def check_file(yaml_path, version, report):
    """Reports the file's problems; returns how many documents it holds."""
    json_path = yaml_path[: -len(".yaml")] + ".json"
    try:
        with open(yaml_path, encoding="utf-8") as handle:
            documents = list(yaml.load_all(handle, Loader=UniqueKeySafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        report(yaml_path, None, "yaml: " + " ".join(str(e).split()))
        return 0
    intended = None
    try:
        with open(json_path, encoding="utf-8") as handle:
            intended = json.load(handle, object_pairs_hook=json_pairs)
        if not isinstance(intended, list):
            report(yaml_path, None,
                   f"json: {json_path} holds {type(intended).__name__}, not an array")
            intended = None
    except FileNotFoundError:
        report(yaml_path, None, f"json: no twin {json_path}")
    except (ValueError, UnicodeDecodeError) as e:
        report(yaml_path, None, f"json: {json_path}: {e}")
    if intended is not None and len(intended) != len(documents):
        report(yaml_path, None,
               f"yaml: {len(documents)} documents, {json_path} has {len(intended)}")
        intended = None

    for index, document in enumerate(documents):
        if intended is not None:
            for problem in differences(document, intended[index]):
                report(yaml_path, index, "yaml: " + problem)
        for problem in schema_problems(document, version):
            report(yaml_path, index, "schema: " + problem)
        if isinstance(document, dict) and document.get("kind") == "NetworkPolicy":
            for problem in network_policy_problems(document):
                report(yaml_path, index, "api: " + problem)
    return len(documents)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("-k", "--kubernetes-version", default=KUBERNETES_VERSION)
    args = parser.parse_args()

    if not os.path.isdir(args.directory):
        print(f"{args.directory}: no such directory: nothing to validate")
        print("validated 0 documents in 0 files")
        return 2
    yaml_files = sorted(glob.glob(os.path.join(args.directory, "*.yaml")))
    if not yaml_files:
        print(f"{args.directory}: no *.yaml file: nothing to validate")
        print("validated 0 documents in 0 files")
        return 2

    failures = 0

    def report(path, index, problem):
        nonlocal failures
        failures += 1
        print(f"{path}: {'file' if index is None else f'document {index + 1}'}: {problem}")

    for json_path in sorted(glob.glob(os.path.join(args.directory, "*.json"))):
        if not os.path.exists(json_path[: -len(".json")] + ".yaml"):
            report(json_path, None, "json: no twin .yaml")
    documents = sum(check_file(path, args.kubernetes_version, report) for path in yaml_files)
    if failures:
        print(f"{failures} problem{'s' if failures > 1 else ''} "
              f"(Kubernetes {args.kubernetes_version}, "
              f"kubernetes-validate {kv.__version__}, PyYAML {yaml.__version__})")
    print(f"validated {documents} documents in {len(yaml_files)} files")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

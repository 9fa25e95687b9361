#!/usr/bin/env python3
r"""Validate CiliumNetworkPolicy YAML documents against Cilium's CRD schema.

The JSON Schema is built at run time from the vendored CRD YAML
(ciliumnetworkpolicies.yaml, next to this script by default), so only the CRD
and this script need to be vendored.

Usage:
    validate.py [--crd CRD.yaml] [--allow-unknown-fields] [--skip-other-kinds] FILE...
    validate.py [--crd CRD.yaml] --dump-schema OUT.json

Exit status: 0 if every document is valid, 1 if any is invalid, 2 on usage /
setup errors.

Conversion from the CRD's OpenAPI v3 (structural) schema to JSON Schema 2020-12:
  * x-kubernetes-int-or-string: true  -> anyOf [integer, string] (if no anyOf yet)
  * x-kubernetes-list-type: set       -> uniqueItems: true (the API server rejects
                                         duplicates in such lists)
  * nullable: true                    -> null also accepted
  * other x-kubernetes-* keys         -> dropped (list-map keys, map-type, ...)
  * x-kubernetes-validations (CEL)    -> the one rule the CNP CRD has
                                         ("has(self.spec) || has(self.specs)") is
                                         translated; any other rule is reported
                                         on stderr and ignored
  * type: object with properties and no additionalProperties
                                      -> additionalProperties: false, i.e. unknown
                                         fields are errors, like
                                         `kubectl apply --validate=strict`
                                         (--allow-unknown-fields turns this off:
                                         the API server would then prune them)
  * format: only "cidr" is checked (Go net.ParseCIDR-like: needs "/prefix",
    host bits allowed); other formats are annotations only.
  * pattern: the CRD's Go (RE2) regexes are used as-is, except two kinds that
    Python `re` cannot handle, rewritten in the generated schema:
      ^([-a-zA-Z0-9_*]+[.]?)+$ and ^([-a-zA-Z0-9_]+[.]?)+$ (FQDN matchName /
        matchPattern / serverNames): exponential backtracking in `re`; replaced
        by the equivalent ^[-a-zA-Z0-9_*]+(\.[-a-zA-Z0-9_*]+)*\.?$ (same
        language, linear time);
      ^\PC*$ (spec.log.value, Unicode category, unsupported by `re`): replaced
        by ^[^\x00-\x1f\x7f-\x9f]*$ (control chars only, an approximation).
    The rewritten patterns are also valid ECMA-262/RE2 regexes, so the dumped
    JSON Schema works with other validators too.
Unless --schema-only is given, documents that pass the schema also get the
rule checks the Cilium agent makes on import (Rule.Sanitize) and the CRD cannot
express; these errors are marked "[agent]".
In addition the document itself must have apiVersion "<group>/<version>" and
kind "<Kind>" from the CRD, and metadata.name (labels/annotations: strings).
"""

import argparse
import copy
import ipaddress
import json
import os
import sys

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CRD = os.path.join(HERE, "ciliumnetworkpolicies.yaml")

# Go/RE2 patterns of the CRD that Python's `re` cannot use safely (see docstring).
PORTABLE_PATTERNS = {
    r"^([-a-zA-Z0-9_*]+[.]?)+$": r"^[-a-zA-Z0-9_*]+(\.[-a-zA-Z0-9_*]+)*\.?$",
    r"^([-a-zA-Z0-9_]+[.]?)+$": r"^[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$",
    r"^\PC*$": r"^[^\x00-\x1f\x7f-\x9f]*$",
}

# CEL rules of the CRD that can be expressed in JSON Schema.
KNOWN_CEL = {
    "has(self.spec) || has(self.specs)": {
        "anyOf": [{"required": ["spec"]}, {"required": ["specs"]}],
    },
}


# --------------------------------------------------------------------------
# CRD -> JSON Schema
# --------------------------------------------------------------------------

def _convert(node, strict, warnings, path="#"):
    if isinstance(node, list):
        return [_convert(x, strict, warnings, f"{path}/{i}") for i, x in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out = {}
    extra_all_of = []
    for key, val in node.items():
        if key == "x-kubernetes-int-or-string":
            if val and "anyOf" not in node:
                out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        elif key == "x-kubernetes-list-type":
            if val == "set":
                out["uniqueItems"] = True
        elif key == "x-kubernetes-validations":
            for rule in val:
                expr = rule.get("rule", "").strip()
                if expr in KNOWN_CEL:
                    extra_all_of.append(KNOWN_CEL[expr])
                else:
                    warnings.append(f"{path}: CEL rule not checked: {expr!r}")
        elif key.startswith("x-kubernetes-"):
            continue
        elif key == "pattern":
            out[key] = PORTABLE_PATTERNS.get(val, val)
        elif key == "nullable":
            continue  # handled below
        elif key in ("properties", "patternProperties", "definitions", "$defs"):
            out[key] = {k: _convert(v, strict, warnings, f"{path}/{key}/{k}")
                        for k, v in val.items()}
        else:
            out[key] = _convert(val, strict, warnings, f"{path}/{key}")
    if (strict and out.get("type") == "object" and "properties" in out
            and "additionalProperties" not in out
            and not node.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    if node.get("nullable") is True:
        if "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
    if extra_all_of:
        out["allOf"] = out.get("allOf", []) + extra_all_of
    return out


def load_crd(crd_path):
    with open(crd_path, "r", encoding="utf-8") as fh:
        docs = [d for d in yaml.safe_load_all(fh) if d]
    for d in docs:
        if d.get("kind") == "CustomResourceDefinition":
            return d
    raise SystemExit(f"{crd_path}: no CustomResourceDefinition found")


def build_schema(crd, version="v2", strict=True, warnings=None):
    """Return a JSON Schema (2020-12) for one whole custom-resource document."""
    if warnings is None:
        warnings = []
    spec = crd["spec"]
    ver = next((v for v in spec["versions"] if v["name"] == version), None)
    if ver is None:
        raise SystemExit(f"CRD has no version {version!r}")
    raw = copy.deepcopy(ver["schema"]["openAPIV3Schema"])
    schema = _convert(raw, strict, warnings)
    api_version = f"{spec['group']}/{version}"
    kind = spec["names"]["kind"]
    doc_checks = {
        "required": ["apiVersion", "kind", "metadata"],
        "properties": {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "namespace": {"type": "string", "minLength": 1},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
    }
    schema["allOf"] = schema.get("allOf", []) + [doc_checks]
    result = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": (f"Generated from CRD {crd['metadata']['name']} version {version} "
                     f"(openAPIV3Schema) by validate.py; strict={strict}"),
    }
    result.update(schema)
    return result


# --------------------------------------------------------------------------
# Validator with a "cidr" format check
# --------------------------------------------------------------------------

def _is_cidr(value):
    if not isinstance(value, str):
        return True
    if "/" not in value:
        return False
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def make_validator(schema):
    cls = Draft202012Validator
    checker = FormatChecker(formats=())
    checker.checks("cidr")(_is_cidr)
    cls.check_schema(schema)
    return cls(schema, format_checker=checker)


# --------------------------------------------------------------------------
# Error reporting
# --------------------------------------------------------------------------

def _fmt_path(path):
    s = ""
    for p in path:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s or "<document>"


def _required_only_keys(subschemas):
    keys = []
    for s in subschemas:
        req = s.get("required") if isinstance(s, dict) else None
        if not req or len(req) != 1 or set(s) - {"required", "properties"}:
            return None
        keys.append(req[0])
    return keys


def _message(err):
    if err.validator in ("oneOf", "anyOf"):
        keys = _required_only_keys(err.validator_value)
        if keys is not None and isinstance(err.instance, dict):
            present = [k for k in keys if k in err.instance]
            want = "exactly one" if err.validator == "oneOf" else "at least one"
            return f"must set {want} of {keys} (found {present})"
        if err.context:
            sub = best_match(err.context)
            return (f"not valid under any {err.validator} branch; closest: "
                    f"{_fmt_path(list(err.absolute_path) + list(sub.relative_path))}: "
                    f"{_short(sub.message)}")
    if err.validator == "additionalProperties" and err.validator_value is False:
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return f"unknown field(s) {extra}"
    return _short(err.message)


def _short(msg, limit=300):
    return msg if len(msg) <= limit else msg[:limit] + "..."


# --------------------------------------------------------------------------
# Checks the Cilium agent makes when it imports a rule (Rule.Sanitize in
# pkg/policy/api/rule_validation.go) but the CRD schema cannot express.
# A CNP failing them is accepted by the API server but not enforced (its
# status shows Valid=False). Disable with --schema-only.
# --------------------------------------------------------------------------

_INGRESS_L3 = ("fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities",
               "fromNodes", "fromGroups")
_EGRESS_L3 = ("toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toServices",
              "toGroups", "toNodes")


def _rule_checks(rule, where, ingress, deny):
    if not isinstance(rule, dict):
        return
    members = list(_INGRESS_L3 if ingress else _EGRESS_L3)
    if not ingress and not deny:
        members.append("toFQDNs")
    present = [m for m in members if rule.get(m)]  # non-empty lists only
    if len(present) > 1:
        yield where, f"combining {present[0]} and {present[1]} in one rule is not supported (use separate rules)"
    ports = rule.get("toPorts") or []
    if rule.get("icmps") and ports:
        yield where, "the icmps block may only be present without toPorts (use a separate rule)"
    for i, pr in enumerate(ports):
        if not isinstance(pr, dict):
            continue
        l7 = pr.get("rules") or {}
        dns = bool(isinstance(l7, dict) and l7.get("dns"))
        other_l7 = isinstance(l7, dict) and any(v for k, v in l7.items() if k != "dns")
        if dns and ingress:
            yield where + [ "toPorts", i, "rules", "dns"], "DNS rules are not allowed on ingress"
        for j, pp in enumerate(pr.get("ports") or []):
            if not isinstance(pp, dict):
                continue
            p = where + ["toPorts", i, "ports", j]
            if pp.get("port") in (None, ""):
                yield p, "port must be specified (unless --enable-extended-ip-protocols)"
            if other_l7 and not dns and pp.get("protocol") != "TCP":
                yield p + ["protocol"], "L7 rules other than DNS need protocol: TCP"
            port = pp.get("port")
            if dns and isinstance(port, str) and port.isdigit() and isinstance(pp.get("endPort"), int) \
                    and pp["endPort"] > int(port):
                yield p + ["endPort"], "DNS rules do not support port ranges"


def cilium_checks(doc):
    """Yield (path, message) for agent-side rule errors in spec / specs[*]."""
    if not isinstance(doc, dict):
        return
    specs = []
    if isinstance(doc.get("spec"), dict):
        specs.append((["spec"], doc["spec"]))
    for i, s in enumerate(doc.get("specs") or []):
        if isinstance(s, dict):
            specs.append((["specs", i], s))
    for base, spec in specs:
        if not any(spec.get(k) for k in ("ingress", "ingressDeny", "egress", "egressDeny")):
            yield base, ("rule must have at least one non-empty ingress, ingressDeny, "
                         "egress or egressDeny list")
        for key, ingress, deny in (("ingress", True, False), ("ingressDeny", True, True),
                                   ("egress", False, False), ("egressDeny", False, True)):
            for i, rule in enumerate(spec.get(key) or []):
                yield from _rule_checks(rule, base + [key, i], ingress, deny)


def validate_file(path, validator, kind, skip_other_kinds, agent_checks=True):
    ok = True
    try:
        with open(path, "r", encoding="utf-8") as fh:
            docs = list(yaml.safe_load_all(fh))
    except (OSError, yaml.YAMLError) as exc:
        print(f"{path}: cannot read/parse: {exc}")
        return False
    n = 0
    for idx, doc in enumerate(docs):
        if doc is None:
            continue
        n += 1
        where = f"{path}[doc {idx}]"
        if isinstance(doc, dict):
            name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else None
            where += f" {doc.get('kind')}/{name}"
            if skip_other_kinds and doc.get("kind") != kind:
                print(f"{where}: skipped")
                continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        for err in errors:
            print(f"{where}: {_fmt_path(err.absolute_path)}: {_message(err)}")
        agent = list(cilium_checks(doc)) if agent_checks and not errors else []
        for p, msg in agent:
            print(f"{where}: {_fmt_path(p)}: [agent] {msg}")
        if errors or agent:
            ok = False
        else:
            print(f"{where}: valid")
    if n == 0:
        print(f"{path}: no YAML documents")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="YAML files (multi-document allowed)")
    ap.add_argument("--crd", default=DEFAULT_CRD, help="CRD YAML (default: %(default)s)")
    ap.add_argument("--crd-version", default="v2")
    ap.add_argument("--allow-unknown-fields", action="store_true",
                    help="do not reject fields the CRD does not define")
    ap.add_argument("--skip-other-kinds", action="store_true",
                    help="skip documents whose kind is not the CRD's kind")
    ap.add_argument("--schema-only", action="store_true",
                    help="skip the Cilium-agent rule checks that the CRD cannot express")
    ap.add_argument("--dump-schema", metavar="OUT.json",
                    help="write the generated JSON Schema and exit")
    args = ap.parse_args(argv)

    crd = load_crd(args.crd)
    warnings = []
    schema = build_schema(crd, args.crd_version, strict=not args.allow_unknown_fields,
                          warnings=warnings)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if args.dump_schema:
        with open(args.dump_schema, "w", encoding="utf-8") as fh:
            json.dump(schema, fh, indent=2, sort_keys=False)
            fh.write("\n")
        if not args.files:
            return 0
    if not args.files:
        ap.error("no files given")
    validator = make_validator(schema)
    kind = crd["spec"]["names"]["kind"]
    results = [validate_file(f, validator, kind, args.skip_other_kinds,
                             agent_checks=not args.schema_only) for f in args.files]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

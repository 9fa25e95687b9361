#!/usr/bin/env python3
"""Trunk post-build hook: write the service worker of this build.

Fills the template src/sw.js with the list of the build's files (every file of the staging
directory but sw.js itself, relative to it) and a version: the SHA-256 of their names and
contents. A new release is a new sw.js byte for byte, so the browser installs it and it
replaces the old cache. Run after csp_hashes.py (tools/post_build.py), since index.html is
one of the files; TRUNK_STAGING_DIR names the build, or the first argument does.
"""
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "src", "sw.js")
OUTPUT = "sw.js"


def build_files(staging: str) -> list[str]:
    """Every file under `staging` but the service worker, as sorted '/'-separated paths."""
    files = []
    for directory, _, names in os.walk(staging):
        for name in names:
            rel = os.path.relpath(os.path.join(directory, name), staging).replace(os.sep, "/")
            if rel != OUTPUT:
                files.append(rel)
    return sorted(files)


def version(staging: str, files: list[str]) -> str:
    digest = hashlib.sha256()
    for rel in files:
        digest.update(rel.encode("utf-8") + b"\0")
        with open(os.path.join(staging, rel), "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()[:20]


def main() -> int:
    staging = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        print("service_worker.py: TRUNK_STAGING_DIR is not set (run by trunk)", file=sys.stderr)
        return 2
    with open(TEMPLATE, encoding="utf-8") as handle:
        script = handle.read()
    for placeholder in ("'__FLOWPOL_VERSION__'", "__FLOWPOL_FILES__"):
        if script.count(placeholder) != 1:
            print(f"service_worker.py: {placeholder} is not once in {TEMPLATE}", file=sys.stderr)
            return 1
    files = build_files(staging)
    if "index.html" not in files:
        print(f"service_worker.py: no index.html in {staging}", file=sys.stderr)
        return 1
    release = version(staging, files)
    script = script.replace("'__FLOWPOL_VERSION__'", json.dumps(release))
    script = script.replace("__FLOWPOL_FILES__", json.dumps(files, indent=2))
    with open(os.path.join(staging, OUTPUT), "w", encoding="utf-8") as handle:
        handle.write(script)
    print(f"service_worker.py: {OUTPUT} caches {len(files)} files, version {release}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

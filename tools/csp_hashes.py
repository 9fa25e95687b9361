#!/usr/bin/env python3
"""Trunk post-build hook: allow exactly the inline scripts Trunk wrote, by hash.

Trunk loads the app with an inline <script type="module">. The page's Content-Security-Policy
forbids inline scripts except those whose SHA-256 it lists; this replaces the placeholder
'inline-script-hashes' in index.html with the hash of every inline script in the built page.
Run by Trunk with TRUNK_STAGING_DIR set; fails loudly if the placeholder is missing.
"""
import base64
import hashlib
import os
import re
import sys

PLACEHOLDER = "'inline-script-hashes'"


def main() -> int:
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        print("csp_hashes.py: TRUNK_STAGING_DIR is not set (run by trunk)", file=sys.stderr)
        return 2
    path = os.path.join(staging, "index.html")
    with open(path, encoding="utf-8") as handle:
        html = handle.read()
    if PLACEHOLDER not in html:
        print(f"csp_hashes.py: no {PLACEHOLDER} placeholder in {path}", file=sys.stderr)
        return 1
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in inline
    ]
    html = html.replace(PLACEHOLDER, " ".join(hashes))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(html)
    print(f"csp_hashes.py: allowed {len(hashes)} inline script(s) by hash")
    return 0


if __name__ == "__main__":
    sys.exit(main())

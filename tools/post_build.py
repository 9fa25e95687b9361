#!/usr/bin/env python3
"""Trunk post-build hook: the Content-Security-Policy's hashes, then the service worker.

One hook, in this order, since Trunk runs the hooks of a stage at the same time and the
service worker's version covers the final index.html.
"""
import sys

import csp_hashes
import service_worker

if __name__ == "__main__":
    status = csp_hashes.main()
    sys.exit(status if status else service_worker.main())

#!/usr/bin/env python3
"""A Debian mirror for the e2e cluster's builder pods, which cannot reach deb.debian.org: exactly the
files a package lock pins, laid out as in the mirror (pool/...), served over HTTP from the host.

    deb-mirror.py LOCK.json CACHE_DIR SERVE_DIR BIND_ADDRESS PORT

Files come from the twinbuild CLI's content-addressed cache (CACHE_DIR/sha256/<hex>, what `twinbuild
build` filled); one that is missing there is downloaded from the lock's URL (then its snapshot
fallback) and kept in the cache. Every file is checked against its sha256 before it is served: the
operator's packages.mirrorOverride points builder pods here, and they check the sha256 again.
"""
import hashlib
import http.server
import json
import os
import shutil
import sys
import tempfile
import urllib.request


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cached(pkg, cache):
    path = os.path.join(cache, "sha256", pkg["sha256"])
    if os.path.isfile(path) and sha256(path) == pkg["sha256"]:
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for url in (pkg["url"], pkg.get("fallbackUrl")):
        if not url:
            continue
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as r:
                shutil.copyfileobj(r, out)
            if sha256(tmp) == pkg["sha256"]:
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
                return path
            print(f"deb-mirror: {url}: sha256 mismatch", file=sys.stderr)
        except OSError as e:
            print(f"deb-mirror: {url}: {e}", file=sys.stderr)
        if os.path.exists(tmp):
            os.unlink(tmp)
    sys.exit(f"deb-mirror: cannot get {pkg['name']}={pkg['version']}")


def main():
    lock_file, cache, serve, bind, port = sys.argv[1:6]
    with open(lock_file) as f:
        lock = json.load(f)
    n = 0
    for layer in lock["layers"]:
        prefix = layer["mirror"].rstrip("/") + "/"
        for pkg in layer["packages"]:
            if not pkg["url"].startswith(prefix):
                continue
            target = os.path.join(serve, pkg["url"][len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.exists(target):
                src = cached(pkg, cache)
                try:
                    os.link(src, target)
                except OSError:
                    shutil.copyfile(src, target)
            n += 1
    print(f"deb-mirror: {n} files under {serve}, serving http://{bind}:{port}/", file=sys.stderr, flush=True)
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=serve, **kw)
    http.server.ThreadingHTTPServer((bind, int(port)), handler).serve_forever()


if __name__ == "__main__":
    main()

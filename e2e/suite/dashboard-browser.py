#!/usr/bin/env python3
"""The dashboard in a real headless Chromium (Debian chromium + chromium-driver, W3C WebDriver over HTTP).

    dashboard-browser.py BASE_URL TOKEN OUT_DIR -- COMMAND...

Opens BASE_URL with the bearer TOKEN, expects one Reproducible SystemImage "minimal" (1 of 1, 100.0%),
runs COMMAND (which applies the unreproducible example), and then, without reloading the page, waits for
the new image and its Unreproducible verdict (1 of 2, 50.0%); opens its page and finds the differing path
and the diff report. Screenshots go to OUT_DIR. Exits non-zero with a message on the first failed check.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

# Debian's chromium (.ci/setup.sh); TWINBUILD_CHROMIUM names another Chrome matching the chromedriver on
# PATH (the hosted runner's google-chrome, .github/workflows/e2e-kind.yml)
CHROMIUM = os.environ.get("TWINBUILD_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,900"]


class Browser:
    def __init__(self, work):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.log = open(os.path.join(work, "chromedriver.log"), "w")
        self.driver = subprocess.Popen(["chromedriver", "--port=%d" % port], stdout=self.log, stderr=subprocess.STDOUT)
        self.base = "http://127.0.0.1:%d" % port
        deadline = time.time() + 20
        while True:
            try:
                if self.call("GET", "/status")["value"]["ready"]:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit("chromedriver did not start")
            time.sleep(0.2)
        profile = tempfile.mkdtemp(prefix="profile-", dir=work)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM, "args": FLAGS + ["--user-data-dir=" + profile]}}}}
        self.session = self.call("POST", "/session", caps)["value"]["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def open(self, url):
        self.call("POST", "/session/%s/url" % self.session, {"url": url})

    def eval(self, script):
        return self.call("POST", "/session/%s/execute/sync" % self.session, {"script": script, "args": []})["value"]

    def text(self, selector):
        return self.eval("var e = document.querySelector(%s); return e ? e.textContent.trim() : null;"
                         % json.dumps(selector))

    def wait(self, what, script, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = self.eval(script)
            if v:
                return v
            time.sleep(0.5)
        raise SystemExit("FAILED: %s (not within %ds); headline: %s; error: %s" % (
            what, timeout, self.text("#headline"), self.text("#error")))

    def screenshot(self, path):
        png = self.call("GET", "/session/%s/screenshot" % self.session)["value"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def close(self):
        try:
            self.call("DELETE", "/session/%s" % self.session)
        finally:
            self.driver.terminate()
            self.driver.wait(30)


def check(ok, message):
    if not ok:
        raise SystemExit("FAILED: " + message)
    print("  ok: " + message, flush=True)


def main():
    base, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
    command = sys.argv[sys.argv.index("--") + 1:]
    scale = int(os.environ.get("TWINBUILD_E2E_TIMEOUT_SCALE", "1"))
    os.makedirs(out, exist_ok=True)
    b = Browser(out)
    try:
        b.open(base + "/static/dashboard.css")  # same origin, no data: keep the token for this tab
        b.eval("sessionStorage.setItem('twinbuild-token', %s); return null;" % json.dumps(token))
        b.open(base + "/")
        loaded = b.wait("the overview loads", "return document.body.dataset.loadedAt || null;", 60)
        print("  page load (navigation start -> table rendered): %s ms" % loaded, flush=True)
        headline = b.text("#headline .big")
        check("1 of 1" in headline and "100.0%" in headline, "headline before: " + headline)
        check(b.text("#images tr[data-name=minimal] .verdict") == "Reproducible", "minimal is Reproducible")
        b.eval("window.twinbuildMarker = 7; return null;")

        subprocess.run(command, check=True)
        b.wait("the new SystemImage appears", "return document.querySelector('#images tr[data-name=unreproducible]');",
               60 * scale)
        first = b.text("#images tr[data-name=unreproducible] .verdict")
        check(first in ("New", "Pending", "Building"), "unreproducible shows up in progress first (%s)" % first)
        b.wait("the Unreproducible verdict arrives", "var e = document.querySelector("
               "'#images tr[data-name=unreproducible] .verdict'); return e && e.textContent.trim() == 'Unreproducible';",
               420 * scale)
        check(b.eval("return window.twinbuildMarker;") == 7, "the page was updated in place, not reloaded")
        headline = b.wait("the headline follows", "var h = document.querySelector('#headline .big').textContent;"
                          " return h.indexOf('1 of 2') >= 0 ? h : null;", 30)
        check("50.0%" in headline, "headline after: " + " ".join(headline.split()))
        first_row = b.eval("return document.querySelector('#images tbody tr').dataset.name;")
        check(first_row == "unreproducible", "failures first (first row: %s)" % first_row)
        b.screenshot(os.path.join(out, "dashboard-overview.png"))

        # The verdict comes first; the differing paths follow from the diagnosis (a check pod): reload until then.
        deadline = time.time() + 300 * scale
        while True:
            b.open(base + "/namespaces/%s/systemimages/unreproducible" % os.environ["DASH_NAMESPACE"])
            b.wait("the image page loads", "return document.body.dataset.loadedAt || null;", 60)
            paths = b.eval("return Array.from(document.querySelectorAll('.differing-path')).map(e => e.textContent);")
            if paths or time.time() > deadline:
                break
            time.sleep(2)
        check(any("etc/build-date" in p for p in paths), "differing paths on the image page: %s" % paths)
        check(len(b.eval("return Array.from(document.querySelectorAll('article.build'));")) == 2, "both builds shown")
        report = b.eval("var a = document.querySelector('a.report'); if (!a) return null;"
                        " return fetch(a.href, {headers: {Authorization: 'Bearer ' +"
                        " sessionStorage.getItem('twinbuild-token')}}).then(r => r.text());")
        check(report is not None and "build-date" in report, "the diff report link serves the report (%d bytes)"
              % len(report or ""))
        b.screenshot(os.path.join(out, "dashboard-image.png"))
    finally:
        b.close()


if __name__ == "__main__":
    main()

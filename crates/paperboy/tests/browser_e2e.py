"""Drives headless Chromium through paperboy as a new reader would, over the Chrome
DevTools Protocol: ask for a sign-in link, open it from the email a real SMTP server
received, choose a username, submit a paper, upvote it, comment in Markdown, reply,
and find it on the trending page. Keeps screenshots of the daily list, the paper
page and the trending page. Prints what it saw as JSON; exits non-zero on failure.

usage: browser_e2e.py BASE_URL MAIL_DIR ARTIFACT_DIR
"""

import base64
import glob
import json
import os
import quopri
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

BASE, MAIL_DIR, ARTIFACTS = sys.argv[1], sys.argv[2], sys.argv[3]
# A paper of the bundled sample whose abstract has inline math.
MATH_PAPER = "2606.24157"
os.makedirs(ARTIFACTS, exist_ok=True)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("no Chromium: install Debian's chromium package")


class Browser:
    """One Chromium tab, driven through the DevTools protocol."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="paperboy-e2e-")
        self.process = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             "--window-size=1280,1600", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if time.time() > deadline:
                sys.exit("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.next_id = 0
        # Errors the page reported (exceptions, console.error, failed loads).
        self.errors = []
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Log.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            self.note_error(message)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def note_error(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(params.get("exceptionDetails", {}).get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.errors.append(str(params.get("args")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(params["entry"].get("text", "error"))

    def phone(self):
        """From now on, a 390 px wide phone screen."""
        self.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                  deviceScaleFactor=2, mobile=True)

    def wait_loaded(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            state = self.eval("document.readyState")
            if state == "complete":
                return
            time.sleep(0.05)
        raise RuntimeError("page did not finish loading")

    def go(self, path):
        self.call("Page.navigate", url=path if path.startswith("http") else BASE + path)
        time.sleep(0.2)
        self.wait_loaded()

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def submit(self, form_selector, fields):
        """Fills `fields` (name -> value) of the form and submits it, as a click would."""
        script = f"""(() => {{
            const form = document.querySelector({json.dumps(form_selector)});
            if (!form) return "no form " + {json.dumps(form_selector)};
            const fields = {json.dumps(fields)};
            for (const [name, value] of Object.entries(fields)) {{
                form.querySelector(`[name="${{name}}"]`).value = value;
            }}
            form.requestSubmit();
            return "ok";
        }})()"""
        outcome = self.eval(script)
        if outcome != "ok":
            raise RuntimeError(outcome)
        time.sleep(0.3)
        self.wait_loaded()

    def url(self):
        return self.eval("location.href")

    def text(self):
        return self.eval("document.body.innerText")

    def html(self):
        return self.eval("document.documentElement.outerHTML")

    def screenshot(self, name):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path = os.path.join(ARTIFACTS, f"{name}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def sign_in_link(address):
    """The sign-in link of the newest message to `address` the SMTP server kept."""
    deadline = time.time() + 20
    while time.time() < deadline:
        for path in sorted(glob.glob(os.path.join(MAIL_DIR, "*.eml")), reverse=True):
            raw = open(path, "rb").read()
            if f"X-Envelope-To: {address}".encode() not in raw:
                continue
            text = quopri.decodestring(raw).decode("utf-8", "replace")
            match = re.search(r"(https?://\S+/login/[0-9a-f]{64}\S*)", text)
            if match:
                return match.group(1)
        time.sleep(0.2)
    sys.exit(f"no sign-in mail to {address} arrived in {MAIL_DIR}")


def unlisted_paper():
    """A paper in the database that is on no daily list yet."""
    papers = json.load(urllib.request.urlopen(f"{BASE}/api/papers?limit=100"))
    for paper in papers:
        detail = json.load(urllib.request.urlopen(f"{BASE}/api/papers/{paper['id']}"))
        if "submittedOnDailyAt" not in detail:
            return paper["id"]
    sys.exit("every paper is on a list already")


def main():
    seen = {}
    browser = Browser()
    try:
        address = "reader@lab.example.org"
        browser.go("/login")
        browser.submit("form[action='/login']", {"email": address})
        seen["after_request"] = "Check your inbox" in browser.text()

        browser.go(sign_in_link(address))
        browser.submit("form[action^='/login/']", {})
        seen["welcome"] = "/welcome" in browser.url()
        browser.submit("form[action='/welcome']", {"username": "reader"})
        seen["signed_in_as"] = "reader" in browser.eval("document.querySelector('nav.account').innerText")

        paper = unlisted_paper()
        seen["paper"] = paper
        browser.go("/papers/submit")
        browser.submit("form[action='/papers/submit']", {"arxiv_id": paper})
        seen["after_submit"] = browser.url()

        # The vote script answers in place: the page does not reload.
        browser.eval("window.__samePage = true")
        browser.submit(".vote-big form.votes", {})
        deadline = time.time() + 10
        while browser.eval("document.querySelector('.vote-big button').getAttribute('aria-pressed')") != "true":
            if time.time() > deadline:
                break
            time.sleep(0.1)
        seen["voted"] = browser.eval("document.querySelector('.vote-big button').getAttribute('aria-pressed')")
        seen["vote_count"] = browser.eval("document.querySelector('.vote-big button').innerText")
        seen["voted_in_place"] = browser.eval("window.__samePage === true")
        browser.go(browser.url())
        seen["vote_kept"] = browser.eval("document.querySelector('.vote-big button').getAttribute('aria-pressed')")

        browser.submit("form.new-comment", {"body": "**Great** read. See [the code](https://github.com/x/y).\n\n<script>alert(1)</script>"})
        seen["comment_html"] = browser.eval("document.querySelector('.comment-body').innerHTML")
        reply_form = browser.eval("document.querySelector('.comment-actions form').getAttribute('action')")
        browser.submit(f"form[action='{reply_form}']", {"body": "And a *reply*."})
        seen["reply_indented"] = browser.eval("!!document.querySelector('.comment.depth-1 em')")
        seen["comments_heading"] = browser.eval("document.querySelector('#comments h2').innerText")
        browser.screenshot("paper")

        browser.go("/papers/trending")
        seen["trending_first"] = browser.eval("document.querySelector('li.paper h2 a').getAttribute('href')")
        seen["trending_why"] = browser.eval("document.querySelector('li.paper .why').innerText")
        browser.screenshot("trending")

        browser.go("/papers")
        seen["daily_has_paper"] = f"/papers/{paper}" in browser.html()
        browser.screenshot("daily")

        # A paper whose abstract holds inline math (\\mathcal, \\mathbb): MathML.
        browser.errors.clear()
        browser.go(f"/papers/{MATH_PAPER}")
        seen["math_elements"] = browser.eval("document.querySelectorAll('p.abstract math').length")
        seen["math_dollars"] = browser.eval("document.querySelector('p.abstract').innerText.includes('$')")
        seen["math_tex_kept"] = browser.eval(
            "[...document.querySelectorAll('p.abstract annotation')].map(a => a.textContent).join(' ')")
        seen["math_console_errors"] = list(browser.errors)
        browser.screenshot("paper-math")

        browser.go("/search?q=motion%20priors%20physics")
        seen["search_hits"] = browser.eval("document.querySelectorAll('li.hit, li.paper').length")
        browser.screenshot("search")

        browser.phone()
        browser.go("/papers")
        seen["phone_overflow"] = browser.eval(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth")
        browser.screenshot("daily-phone")
        seen["screenshots"] = sorted(os.listdir(ARTIFACTS))
    finally:
        browser.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()

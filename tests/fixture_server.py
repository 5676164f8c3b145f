#!/usr/bin/python3
"""fixture_server.py - a local stand-in for Yahoo Finance and Cboe (DESIGN.md §6).

Serves the real recorded response bodies of the fixtures folder
(tests/fixtures, "$PT_FIXTURES" in tests; see its README.md) on 127.0.0.1
with a random port, so that unit and end-to-end tests exercise the live
providers and src/market/http.c without ever leaving the machine. Python 3
standard library only; run it with /usr/bin/python3.

Usage
-----
    fixture_server.py --fixtures DIR [--scenario FILE] [--log FILE]
                      [--port-file FILE] [--idle-exit SECONDS] [--parent PID]

It binds 127.0.0.1 only, port 0 (the kernel picks one), prints one line
``PORT <n>`` on stdout (flushed; also written to --port-file when given), then
serves until any of:
  * it is killed (SIGTERM/SIGINT);
  * its stdin, when it is a pipe or socket, reaches EOF: run it with stdin
    from a pipe that the test holds, so that a test that dies takes the server
    with it (stdin from /dev/null or a terminal is not watched);
  * --parent PID is given and that process is gone (checked twice a second);
  * no request arrived for --idle-exit seconds (default 120; 0 = never).

From C (tests/unit/test_http.c): fork, dup2 a pipe onto stdin and another onto
stdout, exec /usr/bin/python3 tests/fixture_server.py ..., read "PORT n".
From bash (a coproc holds the server's stdin; it ends with the script):

    coproc SRV { exec /usr/bin/python3 "$PT_ROOT/tests/fixture_server.py" \\
                      --fixtures "$PT_FIXTURES" --log "$T_TMP/requests.log"; }
    read -r _ PORT <&"${SRV[0]}"
    base="http://127.0.0.1:$PORT"
    ...
    eval "exec ${SRV[1]}>&-"; wait "$SRV_PID"    # to stop it before the script ends

(bash backgrounds a plain `cmd &` with stdin from /dev/null: that is not
watched, so such a server lives until killed, --parent "$$" ends or it idles.)

Default routes (the path is matched after %-decoding, so %5EVXAPL = ^VXAPL;
status and Content-Type come from the fixtures' index.json):

  Yahoo (point yahoo_url and yahoo_cookie_url both at the server)
    GET /v7/finance/options/AAPL             yahoo-AAPL-options-2025-10-29.json
        ?date=1761868800                     yahoo-AAPL-options-date-1761868800-2025-10-29.json
        ?date=1758240000                     yahoo-AAPL-options-date-1758240000-2025-09-17.json
        ?date=1646092800                     yahoo-AAPL-options-date-1646092800-empty-2025-02-24.json
        ?date=<other>                        200, the no-date body with strikes [] and
                                             options [{expirationDate:<date>, calls:[], puts:[]}]
                                             (Yahoo's answer to an unlisted date)
    GET /v7/finance/options/QQQ              yahoo-QQQ-options-2025-02-24.json (same date rules:
                                             its own nearest expiration gives the same body)
    GET /v7/finance/options/^VXAPL           yahoo-VXAPL-options-no-chain-2025-02-24.json
    GET /v7/finance/options/<other>          200 {"optionChain":{"result":[],"error":null}}
    GET /v8/finance/chart/AAPL               yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json
    GET /v8/finance/chart/QQQ                yahoo-QQQ-chart-1d-2020-01-01_2021-01-04-divs-...json
        ?...&period2=1578009600              yahoo-QQQ-chart-1d-2020-01-01_2020-01-03-...json
    GET /v8/finance/chart/MDLY               404, its recorded body ("symbol may be delisted")
    GET /v8/finance/chart/BEKE               400, its recorded body
    GET /v8/finance/chart/<other>            404, the MDLY body (Yahoo's unknown-symbol answer)
    GET /v7/finance/quote?symbols=QQQ        yahoo-QQQ-quote-v7-2025-08-26.json
    GET /v7/finance/quote?symbols=<other>    yahoo-GS2C-...-empty (200, empty result)
    GET /v1/finance/search                   400, the recorded finance-error body
    GET / and GET /consent                   200 HTML with "Set-Cookie: A3=d=fixture; Path=/"
    GET /v1/test/getcrumb                    200 text/plain, the recorded crumb (haT3oykhHqZ),
                                             when the request carries that cookie; else 401
                                             with the quoted "Invalid Crumb" body
  Cboe (point cboe_url at the server; bodies gzip-encoded when the client
  accepts gzip, as Cboe's CDN does)
    GET /api/global/delayed_quotes/quotes/AAPL.json           cboe-AAPL-quote-2024-06-27.json
    GET /api/global/delayed_quotes/historical_data/AAPL.json  cboe-AAPL-historical_data-...json
    GET /api/global/delayed_quotes/historical_data/QQQ.json   cboe-QQQ-historical_data-...json
    GET /education/tools/trade-optimizer/symbol-info/?symbol=QQQ|OXY   the symbol-info files
  Anything else: 404 {"error":"not found","path":"..."}.
  GET /__fixture/reset restarts every scenario rule at its first response.
  GET /__fixture/headers answers {"headers": {the request's headers}, "client_port": n}
  (the client's User-Agent, cookies, encodings; one port across requests = connection reuse).

Scenario file (--scenario, JSON): either a list of rules or an object
    {"require_crumb": true, "rules": [RULE, ...]}
require_crumb: Yahoo API paths (/v6 /v7 /v8 /v10 /v11 /v1/finance) without
``crumb=haT3oykhHqZ`` get 401 with the quoted "Invalid Crumb" body (checked
before the rules).
RULE = {"path": "/v7/finance/options/AAPL",   exact, %-decoded; "*" makes it an fnmatch pattern
        "query": {"date": "1761868800"},       optional; each given parameter must be equal
        "responses": [RESPONSE, ...]}          used in order; the last one repeats
Rules take precedence over default routes; the first matching rule answers.
RESPONSE is an object whose keys combine:
    "status": 429                    HTTP status (default: the fixture's, else 200)
    "headers": {"Retry-After": "2"}  extra or replaced headers
    "body": "text"                   the body (a string)
    "fixture": "yahoo/x.json"        a fixtures file (status and Content-Type from index.json)
    "body_file": "/abs/path"         a file's bytes (relative to the scenario's folder)
    "repeat": 50000000               a valid-looking JSON body of exactly that many bytes
    "content_type": "text/plain"     Content-Type (default application/json)
    "delay": 3.0                     seconds to sleep before answering
    "truncate": 100                  send Content-Length of the whole (encoded) body but
                                     only its first 100 bytes, then close the connection
    "gzip": true                     Content-Encoding: gzip (whatever the client accepts)
    "close": true                    close the connection after the response
A response with none of body/fixture/body_file/repeat answers with the default
route, modified by the other keys: {"delay": 2} is "the normal answer, late".

Request log (--log FILE): one line per request, written when it arrives:
``METHOD PATH?QUERY CLIENT_ADDRESS`` e.g. ``GET /v7/finance/options/AAPL?date=1 127.0.0.1``.
"""

import argparse
import fnmatch
import gzip
import http.server
import json
import os
import socket
import stat
import sys
import threading
import time
import urllib.parse

CRUMB_FILE = "yahoo/yahoo-getcrumb-200-2025-02-16.txt"
INVALID_CRUMB_FILE = "yahoo/quoted-from-issues/yahoo-options-401-invalid-crumb-2024-01-31.quoted.json"
COOKIE_NAME, COOKIE_VALUE = "A3", "d=fixture"
YAHOO_JSON = "application/json;charset=utf-8"

OPTIONS = {
    "AAPL": "yahoo/yahoo-AAPL-options-2025-10-29.json",
    "QQQ": "yahoo/yahoo-QQQ-options-2025-02-24.json",
    "^VXAPL": "yahoo/yahoo-VXAPL-options-no-chain-2025-02-24.json",
}
OPTIONS_DATED = {
    ("AAPL", "1761868800"): "yahoo/yahoo-AAPL-options-date-1761868800-2025-10-29.json",
    ("AAPL", "1758240000"): "yahoo/yahoo-AAPL-options-date-1758240000-2025-09-17.json",
    ("AAPL", "1646092800"): "yahoo/yahoo-AAPL-options-date-1646092800-empty-2025-02-24.json",
}
CHART = {
    "AAPL": "yahoo/yahoo-AAPL-chart-1d-6mo-divs-2025-10-29.json",
    "QQQ": "yahoo/yahoo-QQQ-chart-1d-2020-01-01_2021-01-04-divs-2021-11-13.json",
    "MDLY": "yahoo/yahoo-MDLY-chart-404-not-found-2021-11-13.json",
    "BEKE": "yahoo/yahoo-BEKE-chart-400-no-data-for-range-2021-11-21.json",
}
CHART_QQQ_SHORT = "yahoo/yahoo-QQQ-chart-1d-2020-01-01_2020-01-03-2025-02-20.json"
QUOTE = {"QQQ": "yahoo/yahoo-QQQ-quote-v7-2025-08-26.json"}
QUOTE_EMPTY = "yahoo/yahoo-GS2C-quote-v7-unknown-symbol-empty-2025-09-17.json"
SEARCH_ERROR = "yahoo/yahoo-search-400-finance-error-2022-06-30.json"
CBOE_PREFIX = "/api/global/delayed_quotes/"
CBOE = {
    "quotes/AAPL.json": "cboe/cboe-AAPL-quote-2024-06-27.json",
    "historical_data/AAPL.json": "cboe/cboe-AAPL-historical_data-2024-06-27.json",
    "historical_data/QQQ.json": "cboe/cboe-QQQ-historical_data-2023-06-09.json",
}
CBOE_SYMBOL_INFO = {
    "QQQ": "cboe/cboe-QQQ-symbol-info-2023-06-09.json",
    "OXY": "cboe/cboe-OXY-symbol-info-2023-06-09.json",
}
YAHOO_API = ("/v6/", "/v7/", "/v8/", "/v10/", "/v11/", "/v1/finance/")


class Reply:
    """What the server is about to send."""

    def __init__(self, status=200, body=b"", ctype="application/json", gz=False):
        self.status = status
        self.body = body              # bytes, or an iterable of bytes when length is set
        self.length = None            # set for streamed bodies
        self.ctype = ctype
        self.headers = {}
        self.gzip = gz                # encode when the client accepts gzip
        self.force_gzip = False
        self.delay = 0.0
        self.truncate = None
        self.close = False


class Fixtures:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.meta = {}
        with open(os.path.join(self.root, "index.json"), encoding="utf-8") as f:
            for e in json.load(f):
                self.meta[e["file"]] = e
        self.crumb = self.read(CRUMB_FILE).decode().strip()

    def read(self, name):
        path = os.path.normpath(os.path.join(self.root, name))
        if not path.startswith(self.root + os.sep):
            raise ValueError("fixture outside the fixtures folder: " + name)
        with open(path, "rb") as f:
            return f.read()

    def reply(self, name, status=None):
        """A Reply with the file's body, status and content type from index.json."""
        e = self.meta.get(name, {})
        ctype = e.get("content_type") or YAHOO_JSON
        gz = "gzip" in ctype
        ctype = ctype.split(" (")[0]
        return Reply(status if status is not None else int(e.get("status", 200)),
                     self.read(name), ctype, gz)


def padded_json(n):
    """Chunks of a JSON document of exactly n bytes: {"pad":"xxx..."}."""
    head, tail = b'{"pad":"', b'"}'
    if n < len(head) + len(tail):
        yield b" " * n
        return
    yield head
    left = n - len(head) - len(tail)
    chunk = b"x" * 65536
    while left > 0:
        k = min(left, len(chunk))
        yield chunk[:k]
        left -= k
    yield tail


class State:
    def __init__(self, args):
        self.fx = Fixtures(args.fixtures)
        self.rules = []
        self.require_crumb = False
        self.scenario_dir = os.getcwd()
        if args.scenario:
            self.scenario_dir = os.path.dirname(os.path.abspath(args.scenario))
            with open(args.scenario, encoding="utf-8") as f:
                sc = json.load(f)
            if isinstance(sc, dict):
                self.require_crumb = bool(sc.get("require_crumb", False))
                sc = sc.get("rules", [])
            for r in sc:
                if not isinstance(r, dict) or "path" not in r or not r.get("responses"):
                    raise ValueError("bad scenario rule: %r" % (r,))
            self.rules = sc
        self.counters = [0] * len(self.rules)
        self.lock = threading.Lock()
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.last_request = time.monotonic()

    def log_request(self, method, raw_path, addr):
        self.last_request = time.monotonic()
        if self.log:
            with self.lock:
                self.log.write("%s %s %s\n" % (method, raw_path, addr))
                self.log.flush()

    def reset(self):
        with self.lock:
            self.counters = [0] * len(self.rules)

    def rule_response(self, path, query):
        for i, r in enumerate(self.rules):
            p = r["path"]
            if not (fnmatch.fnmatchcase(path, p) if "*" in p else path == p):
                continue
            want = r.get("query") or {}
            if any(query.get(k, [None])[0] != str(v) for k, v in want.items()):
                continue
            with self.lock:
                k = self.counters[i]
                self.counters[i] += 1
            resp = r["responses"]
            return resp[min(k, len(resp) - 1)]
        return None


def one(query, name):
    v = query.get(name)
    return v[0] if v else None


def yahoo_empty_date(fx, name, date):
    """Yahoo's answer for a date that is not listed: the chain's quote, no contracts."""
    doc = json.loads(fx.read(name))
    res = doc["optionChain"]["result"]
    if res:
        if res[0].get("options") and str(res[0]["options"][0].get("expirationDate")) == date:
            return fx.reply(name)
        res[0]["strikes"] = []
        res[0]["options"] = [{"expirationDate": int(date) if date.isdigit() else 0,
                              "hasMiniOptions": False, "calls": [], "puts": []}]
    body = json.dumps(doc, separators=(",", ":")).encode()
    return Reply(200, body, "application/json")


def default_route(st, path, query, headers):
    fx = st.fx
    if path in ("/", "/consent"):
        r = Reply(200, b"<!doctype html><html><body>fixture consent</body></html>\n",
                  "text/html; charset=utf-8")
        r.headers["Set-Cookie"] = "%s=%s; Path=/" % (COOKIE_NAME, COOKIE_VALUE)
        return r
    if path == "/v1/test/getcrumb":
        cookies = headers.get("Cookie", "")
        have = any(c.strip() == "%s=%s" % (COOKIE_NAME, COOKIE_VALUE) for c in cookies.split(";"))
        if not have:
            return fx.reply(INVALID_CRUMB_FILE, 401)
        return fx.reply(CRUMB_FILE)
    if path.startswith("/v7/finance/options/"):
        sym = path[len("/v7/finance/options/"):]
        date = one(query, "date")
        if date is not None and (sym, date) in OPTIONS_DATED:
            return fx.reply(OPTIONS_DATED[(sym, date)])
        if sym in OPTIONS:
            if date is None:
                return fx.reply(OPTIONS[sym])
            return yahoo_empty_date(fx, OPTIONS[sym], date)
        return Reply(200, b'{"optionChain":{"result":[],"error":null}}', "application/json")
    if path.startswith("/v8/finance/chart/"):
        sym = path[len("/v8/finance/chart/"):]
        if sym == "QQQ" and one(query, "period2") == "1578009600":
            return fx.reply(CHART_QQQ_SHORT)
        return fx.reply(CHART.get(sym, CHART["MDLY"]))
    if path == "/v7/finance/quote":
        return fx.reply(QUOTE.get(one(query, "symbols") or "", QUOTE_EMPTY))
    if path == "/v1/finance/search":
        return fx.reply(SEARCH_ERROR)
    if path.startswith(CBOE_PREFIX) and path[len(CBOE_PREFIX):] in CBOE:
        return fx.reply(CBOE[path[len(CBOE_PREFIX):]])
    if path.rstrip("/") == "/education/tools/trade-optimizer/symbol-info":
        name = CBOE_SYMBOL_INFO.get(one(query, "symbol") or "")
        if name:
            return fx.reply(name)
    body = json.dumps({"error": "not found", "path": path}).encode()
    return Reply(404, body, "application/json")


def scripted(st, spec, path, query, headers):
    """The Reply of one scenario RESPONSE."""
    fx = st.fx
    status = spec.get("status")
    if "fixture" in spec:
        r = fx.reply(spec["fixture"], status)
    elif "body_file" in spec:
        p = os.path.join(st.scenario_dir, spec["body_file"])
        with open(p, "rb") as f:
            r = Reply(200 if status is None else status, f.read())
    elif "body" in spec:
        b = spec["body"]
        r = Reply(200 if status is None else status, b.encode() if isinstance(b, str) else b)
    elif "repeat" in spec:
        n = int(spec["repeat"])
        r = Reply(200 if status is None else status, padded_json(n))
        r.length = n
    else:
        r = default_route(st, path, query, headers)
        if status is not None:
            r.status = status
    if "content_type" in spec:
        r.ctype = spec["content_type"]
    for k, v in (spec.get("headers") or {}).items():
        r.headers[k] = str(v)
    if spec.get("gzip"):
        r.force_gzip = True
    r.delay = float(spec.get("delay", 0))
    if spec.get("truncate") is not None:
        r.truncate = int(spec["truncate"])
    r.close = bool(spec.get("close", False))
    return r


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "fixture_server"

    def log_message(self, fmt, *args):  # quiet: the --log file is the record
        pass

    def do_GET(self):
        self.answer(send_body=True)

    def do_HEAD(self):
        self.answer(send_body=False)

    def answer(self, send_body):
        st = self.server.state
        st.log_request(self.command, self.path, self.client_address[0])
        parts = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parts.path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        try:
            r = self.route(st, path, query)
        except Exception as e:  # a broken scenario or fixture: say so, do not hang
            r = Reply(500, json.dumps({"error": "fixture server: %s" % e}).encode())
        self.send(r, send_body)

    def route(self, st, path, query):
        if path == "/__fixture/reset":
            st.reset()
            return Reply(200, b'{"reset":true}')
        if path == "/__fixture/headers":
            doc = {"headers": {k: v for k, v in self.headers.items()},
                   "client_port": self.client_address[1]}
            return Reply(200, json.dumps(doc).encode())
        if st.require_crumb and path.startswith(YAHOO_API) and one(query, "crumb") != st.fx.crumb:
            return st.fx.reply(INVALID_CRUMB_FILE, 401)
        spec = st.rule_response(path, query)
        if spec is not None:
            return scripted(st, spec, path, query, self.headers)
        return default_route(st, path, query, self.headers)

    def send(self, r, send_body):
        if r.delay > 0:
            time.sleep(r.delay)
        accepts = "gzip" in (self.headers.get("Accept-Encoding") or "")
        body = r.body
        if r.force_gzip or (r.gzip and accepts):
            if not isinstance(body, bytes):
                body = b"".join(body)
            body = gzip.compress(body, mtime=0)
            r.headers.setdefault("Content-Encoding", "gzip")
            r.length = None
        if isinstance(body, bytes):
            length, chunks = len(body), [body]
        else:
            length, chunks = r.length, body
        self.send_response(r.status)
        self.send_header("Content-Type", r.ctype)
        self.send_header("Content-Length", str(length))
        for k, v in r.headers.items():
            self.send_header(k, v)
        if r.close or r.truncate is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not send_body:
            return
        left = length if r.truncate is None else min(r.truncate, length)
        for c in chunks:
            if left <= 0:
                break
            c = c[:left]
            self.wfile.write(c)
            left -= len(c)
        self.wfile.flush()
        if r.truncate is not None:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) breaks the pipe: not an error.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def watch_stdin():
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return

    def run():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=run, daemon=True).start()


def watch(st, idle, parent):
    def run():
        while True:
            time.sleep(0.5)
            if parent:
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    os._exit(0)
                except PermissionError:
                    pass
            if idle > 0 and time.monotonic() - st.last_request > idle:
                os._exit(0)

    threading.Thread(target=run, daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixtures", required=True, help="the fixtures folder ($PT_FIXTURES)")
    ap.add_argument("--scenario", help="JSON file scripting responses per path")
    ap.add_argument("--log", help="append one line per request to this file")
    ap.add_argument("--port-file", help="also write the port number to this file")
    ap.add_argument("--idle-exit", type=float, default=120.0,
                    help="exit after this many seconds without a request (0: never)")
    ap.add_argument("--parent", type=int, default=0, help="exit when this process is gone")
    args = ap.parse_args()

    st = State(args)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.state = st
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()
    watch_stdin()
    watch(st, args.idle_exit, args.parent)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""tests/e2e/serve_client.py - the HTTP side of tests/e2e/serve.sh: talks to
a running `papertrade serve` on 127.0.0.1 with urllib (no curl needed) and
prints one result per line, "PASS<TAB>what" or "FAIL<TAB>what<TAB>why",
which serve.sh turns into TAP lines.

    serve_client.py main PORT REPORT_JSON SESSIONS   the full API and page checks
    serve_client.py empty PORT                       no portfolio yet
    serve_client.py token PORT TOKEN                 401 without the token, 200 with
    serve_client.py flood PORT MARKER N              N idle connections held: health still
                                                     answers; MARKER written, then held 10 s
    serve_client.py assets PORT                      --assets-dir mode
    serve_client.py during PORT PIDFILE              poll /api/summary while a run writes
    serve_client.py sched PORT SESSION               the scheduler runs SESSION by itself
"""
import gzip
import http.client
import json
import os
import sys
import time

PORT = int(sys.argv[2])
HOST = "127.0.0.1"


def out(ok, what, why=""):
    why = str(why).replace("\n", " ")[:300]
    print(("PASS\t%s" % what) if ok else ("FAIL\t%s\t%s" % (what, why)), flush=True)


def req(path, method="GET", headers=None, body=None, timeout=10):
    """(status, headers dict lower-cased, body bytes); raw path, no normalising."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    c.putrequest(method, path, skip_accept_encoding=True,
                 skip_host="Host" in (headers or {}))
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    data = r.read()
    h = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, h, data


# What every answer carries, whatever made it (page, asset, API, 304, error).
SECURITY = {
    "content-security-policy": None,  # checked by csp_ok
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


def csp_ok(v):
    """A policy with no inline script or style, framing refused."""
    d = {}
    for part in (v or "").split(";"):
        words = part.split()
        if words:
            d[words[0].lower()] = [w.lower() for w in words[1:]]
    script = d.get("script-src", d.get("default-src"))
    style = d.get("style-src", d.get("default-src"))
    return (script is not None and style is not None
            and not any(w in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")
                        for w in script)
            and "'unsafe-inline'" not in style
            and d.get("frame-ancestors") == ["'none'"]
            and d.get("default-src") is not None
            and d.get("object-src", d.get("default-src")) in (["'none'"], ["'self'"])
            and d.get("base-uri") == ["'none'"])


def check_security(what, h):
    bad = [k for k, want in SECURITY.items()
           if (not csp_ok(h.get(k)) if want is None else h.get(k) != want)]
    out(not bad, "security headers on %s" % what,
        "; ".join("%s: %r" % (k, h.get(k)) for k in bad))


def get_json(path, headers=None):
    s, h, b = req(path, headers=headers)
    return s, h, json.loads(b.decode())


def close(a, b):
    return abs(a - b) < 0.0051


def check_main(report_path, sessions):
    with open(report_path) as f:
        report = json.load(f)
    s, h, raw = req("/api/summary")
    summary = json.loads(raw)
    out(s == 200, "/api/summary is 200", s)
    with open(report_path, "rb") as f:
        pretty = f.read()
    out(b"\n" not in raw.rstrip(b"\n") and len(raw) < len(pretty),
        "/api/summary is compact JSON, smaller than report --json", len(raw))
    out(summary == report, "/api/summary equals report --json",
        "differs" if summary != report else "")
    out(h.get("content-type") == "application/json; charset=utf-8",
        "/api/summary content type", h.get("content-type"))
    out(h.get("cache-control") == "no-cache", "/api/summary Cache-Control: no-cache",
        h.get("cache-control"))
    etag = h.get("etag", "")
    out(etag.startswith('"') and etag.endswith('"') and len(etag) > 2,
        "/api/summary has a strong ETag", etag)
    s, h2, b = req("/api/summary", headers={"If-None-Match": etag})
    out(s == 304 and b == b"", "If-None-Match answers 304 with no body", s)
    out(h2.get("etag") == etag, "304 repeats the ETag", h2.get("etag"))
    s, h3, b = req("/api/summary", headers={"If-None-Match": '"nope"'})
    out(s == 200, "a stale ETag gets 200", s)
    s, hz, bz = req("/api/summary", headers={"Accept-Encoding": "gzip, deflate"})
    ok = s == 200 and hz.get("content-encoding") == "gzip"
    out(ok, "gzip when the client accepts it", hz.get("content-encoding"))
    if ok:
        out(json.loads(gzip.decompress(bz)) == report, "the gzip body is the same JSON")
        out("accept-encoding" in hz.get("vary", "").lower(), "Vary: Accept-Encoding",
            hz.get("vary"))
    s, hq, bq = req("/api/summary", headers={"Accept-Encoding": "gzip;q=0"})
    out("content-encoding" not in hq, "no gzip when q=0", hq.get("content-encoding"))
    s, hh, bh = req("/api/summary", method="HEAD")
    out(s == 200 and bh == b"" and hh.get("content-length") == h.get("content-length"),
        "HEAD: headers only", (s, len(bh), hh.get("content-length")))

    s, _, snaps = get_json("/api/snapshots")
    out(s == 200, "/api/snapshots is 200", s)
    n = len(snaps.get("dates", []))
    out(n == sessions, "snapshots: one date per session run (%d)" % n, "want %d" % sessions)
    out(all(len(snaps[k]) == n for k in ("portfolio", "cash", "margin")),
        "snapshots: columns as long as dates")
    out(snaps.get("tickers") == ["SPY", "VOO", "VTI", "QQQ"], "snapshots: tickers",
        snaps.get("tickers"))
    out(all(len(snaps["benchmarks"].get(t, [])) == n for t in snaps["tickers"]),
        "snapshots: one benchmark column per ticker, full length")
    out(n and close(snaps["portfolio"][-1], report["portfolio_value"]),
        "snapshots: last value is the summary's portfolio_value",
        (snaps["portfolio"][-1] if n else None, report["portfolio_value"]))
    out(n and close(snaps["cash"][-1], report["cash"]), "snapshots: last cash is the summary's")
    out(close(snaps.get("initial_capital", 0), report["initial_capital"]),
        "snapshots: initial capital")
    out(n and snaps["dates"][-1] == report["session"], "snapshots: last date is the session")
    out(n and all(close(snaps["benchmarks"][t][-1], report["benchmarks"][t]["value"])
                  for t in snaps["tickers"]), "snapshots: benchmarks end at the summary's")

    s, _, pos = get_json("/api/positions")
    out(s == 200, "/api/positions is 200", s)
    plist = pos if isinstance(pos, list) else pos.get("positions", pos.get("open_positions"))
    out(isinstance(plist, list) and len(plist) == len(report["open_positions"]),
        "positions: as many as the report's open positions",
        (type(pos).__name__, len(plist) if isinstance(plist, list) else None))
    s, _, tr = get_json("/api/trades")
    out(s == 200, "/api/trades is 200", s)
    tlist = tr if isinstance(tr, list) else tr.get("trades", tr.get("closed_trades"))
    out(isinstance(tlist, list) and len(tlist) == len(report["closed_trades"]),
        "trades: as many as the report's closed trades")

    s, hh, health = get_json("/api/health")
    out(s == 200 and health.get("ok") is True, "/api/health ok", s)
    out(health.get("now_ny") == "2024-12-31T10:00", "health: now_ny from PAPERTRADE_NOW",
        health.get("now_ny"))
    m = health.get("market", {})
    out(m.get("open") is True and m.get("session_today") is True and m.get("opens") == "09:30"
        and m.get("closes") == "16:00" and m.get("next_session") == "2025-01-02",
        "health: market open on 2024-12-31 10:00, next session 2025-01-02", m)
    out(health.get("last_session") == report["session"], "health: last_session",
        health.get("last_session"))
    out(health.get("scheduler") is False, "health: scheduler off with --no-scheduler")
    out(health.get("run_at") == "09:35", "health: run_at", health.get("run_at"))
    out(health.get("next_run") == "2025-01-02T09:35", "health: next_run is the next session's",
        health.get("next_run"))
    out(isinstance(health.get("version"), str) and health["version"], "health: version")

    s, h, b = req("/")
    out(s == 200 and h.get("content-type", "").startswith("text/html"), "/ serves index.html",
        (s, h.get("content-type")))
    out(b'<script src="app.js"></script>' in b, "index.html is the page")
    s2, h2, b2 = req("/index.html")
    out(s2 == 200 and b2 == b, "/index.html is the same")
    s, hv, bv = req("/vendor/chart.umd.min.js")
    out(s == 200 and hv.get("content-type", "").startswith("text/javascript") and len(bv) > 10000,
        "Chart.js served from /vendor/", (s, hv.get("content-type"), len(bv)))
    s, hvz, bvz = req("/vendor/chart.umd.min.js", headers={"Accept-Encoding": "gzip"})
    out(s == 200 and hvz.get("content-encoding") == "gzip" and gzip.decompress(bvz) == bv,
        "Chart.js gzipped when asked")
    s, h, b = req("/app.js")
    out(s == 200 and h.get("content-type", "").startswith("text/javascript"), "app.js served",
        h.get("content-type"))
    s, h, b = req("/style.css")
    out(s == 200 and h.get("content-type", "").startswith("text/css"), "style.css served",
        h.get("content-type"))
    et = h.get("etag", "")
    s, _, _ = req("/style.css", headers={"If-None-Match": et})
    out(s == 304, "asset revalidation gives 304", s)

    for what, path, hd, method in (
            ("the page", "/", None, "GET"), ("index.html", "/index.html", None, "GET"),
            ("app.js", "/app.js", None, "GET"), ("style.css", "/style.css", None, "GET"),
            ("gzipped Chart.js", "/vendor/chart.umd.min.js", {"Accept-Encoding": "gzip"}, "GET"),
            ("a 304 of an asset", "/style.css", {"If-None-Match": et}, "GET"),
            ("/api/summary", "/api/summary", None, "GET"),
            ("gzipped /api/summary", "/api/summary", {"Accept-Encoding": "gzip"}, "GET"),
            ("a 304 of /api/summary", "/api/summary", {"If-None-Match": etag}, "GET"),
            ("/api/health", "/api/health", None, "GET"),
            ("HEAD /", "/", None, "HEAD"),
            ("a 404 page", "/nope.html", None, "GET"),
            ("a 404 endpoint", "/api/nope", None, "GET"),
            ("a 400 path", "/../papertrade.db", None, "GET"),
            ("a 405", "/api/summary", None, "DELETE"),
            ("a 414", "/" + "a" * 5000, None, "GET"),
            ("a 421", "/api/summary", {"Host": "evil.example"}, "GET")):
        s, h, b = req(path, method=method, headers=hd)
        check_security("%s (%d)" % (what, s), h)

    # 300 query arguments once hung the connection until its timeout (30 s):
    # MHD parses them into the connection's memory before any handler runs.
    t0 = time.monotonic()
    try:
        s, h, b = req("/api/health?" + "&".join("a%d=1" % i for i in range(300)), timeout=3)
    except Exception as e:  # noqa: BLE001 - a timeout is the failure
        s = repr(e)
    out(s == 200, "300 query arguments are answered at once (%.0f ms)"
        % ((time.monotonic() - t0) * 1000), s)

    s, h, b = req("/nope.html")
    out(s == 404 and "error" in json.loads(b), "unknown page is a JSON 404", s)
    s, h, b = req("/api/nope")
    out(s == 404 and h.get("content-type", "").startswith("application/json")
        and "error" in json.loads(b), "unknown endpoint is a JSON 404", s)
    s, h, b = req("/api/summary", method="POST", body=b"x=1")
    out(s == 405 and "GET" in h.get("allow", ""), "POST is 405 with Allow", (s, h.get("allow")))
    s, h, b = req("/api/summary", method="DELETE")
    out(s == 405, "DELETE is 405", s)
    s, h, b = req("/api/summary", method="GET", body=b"hello")
    out(s in (400, 413), "a GET with a body is refused", s)
    s, h, b = req("/" + "a" * 5000)
    out(s in (414, 431, 400), "a very long URL is refused", s)
    for p in ("/../papertrade.db", "/%2e%2e/papertrade.db", "/..%2fpapertrade.db",
              "/vendor/../../papertrade.db", "/%2E%2E/%2E%2E/etc/passwd", "//etc/passwd",
              "/app.js%00.png"):
        s, h, b = req(p)
        out(s in (400, 403, 404) and b"SQLite" not in b, "traversal refused: %s" % p, s)
    # DNS rebinding: without a token, only a loopback Host is answered.
    for host in ("evil.example", "evil.example:%d" % PORT, "127.0.0.1.evil.example",
                 "localhost.evil.example", "[::2]:%d" % PORT, "127.0.0.1:x"):
        s, h, b = req("/api/summary", headers={"Host": host})
        out(s == 421 and b"portfolio_value" not in b, "Host %s is refused (421)" % host, s)
    for host in ("localhost:%d" % PORT, "LOCALHOST", "127.0.0.1:%d" % PORT, "127.1.2.3",
                 "[::1]:%d" % PORT):
        s, h, b = req("/api/summary", headers={"Host": host})
        out(s == 200, "Host %s is answered" % host, s)


def check_empty():
    s, _, health = get_json("/api/health")
    out(s == 200 and health.get("ok") is True and health.get("last_session") is None,
        "no portfolio: /api/health is 200 with last_session null", (s, health))
    for ep in ("summary", "snapshots", "positions", "trades"):
        s, h, b = get_json("/api/" + ep)
        out(s == 404 and b == {"error": "no portfolio yet: run papertrade run"},
            "no portfolio: /api/%s is 404 with the error" % ep, (s, b))
    s, h, b = req("/")
    out(s == 200, "no portfolio: the page is served", s)


def check_token(token):
    s, h, b = req("/api/summary")
    out(s == 401 and "error" in json.loads(b), "token set: 401 without it", s)
    s, h, b = req("/api/health")
    out(s == 401, "token set: health needs it too", s)
    s, h, b = req("/api/summary", headers={"Authorization": "Bearer wrong" + token})
    out(s == 401, "token set: 401 with a wrong token", s)
    s, h, b = req("/api/summary", headers={"Authorization": "Bearer " + token[:-1]})
    out(s == 401, "token set: 401 with a prefix of the token", s)
    s, h, b = req("/api/summary", headers={"Authorization": "Bearer " + token})
    out(s == 200, "token set: 200 with Authorization: Bearer", s)
    s, h, b = req("/api/summary?token=" + token)
    out(s == 200, "token set: 200 with ?token=", s)
    # RFC 7235: the scheme is case-insensitive.
    for scheme in ("bearer", "BEARER", "BeArEr"):
        s, h, b = req("/api/summary", headers={"Authorization": scheme + " " + token})
        out(s == 200, "token set: 200 with Authorization: %s" % scheme, s)
    for auth in ("Basic " + token, "Bearer" + token, "Bearerx " + token, "bearer  " + "x" + token):
        s, h, b = req("/api/summary", headers={"Authorization": auth})
        out(s == 401, "token set: 401 with Authorization: %s..." % auth[:9], s)
    s, h, b = req("/api/summary")
    check_security("a 401", h)
    s, h, b = req("/")
    out(s == 200, "token set: the page itself needs none", s)


def check_assets():
    s, h, b = req("/")
    out(s == 200 and b == b"<p>from disk</p>\n", "--assets-dir serves index.html from disk", b[:40])
    s, h, b = req("/sub/x.css")
    out(s == 200 and h.get("content-type", "").startswith("text/css"),
        "--assets-dir: a file in a subfolder, typed", (s, h.get("content-type")))
    s, h, b = req("/vendor/chart.umd.min.js")
    out(s == 200 and len(b) > 10000, "--assets-dir: Chart.js from the embedded copy", s)
    for p in ("/../papertrade.db", "/%2e%2e/secret.txt", "/link/secret.txt", "/outside.txt",
              "/.git/config", "/sub/.env", "/.hidden"):
        s, h, b = req(p)
        out(s in (400, 403, 404) and b"secret" not in b, "--assets-dir refuses %s" % p, s)


def check_during(pidfile):
    """Polls /api/summary while a run writes, until it ends."""
    seen, bad, answers, errors = set(), 0, 0, 0
    with open(pidfile) as f:
        pid = int(f.read().strip())
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        try:
            s, h, b = req("/api/summary")
            if s != 200:
                errors += 1
            else:
                j = json.loads(b)
                answers += 1
                seen.add(j["session"])
                if not close(j["cash"] + j["positions_value"], j["portfolio_value"]):
                    bad += 1
        except Exception as e:  # noqa: BLE001 - any failure counts
            errors += 1
            print("# %s" % e)
        if not alive:
            break
    out(errors == 0, "while a run writes: every answer is 200 and parses (%d answers)" % answers,
        "%d errors" % errors)
    out(bad == 0, "while a run writes: cash + positions_value = portfolio_value in every answer",
        "%d bad" % bad)
    out(len(seen) >= 3, "while a run writes: the answers follow it (%d sessions seen)" % len(seen),
        sorted(seen)[:5])


def check_sched(session):
    """Waits (up to 60 s) for the scheduler to run session, as health shows."""
    deadline, health = time.time() + 60, {}
    while time.time() < deadline:
        s, _, health = get_json("/api/health")
        if health.get("last_session") == session:
            break
        time.sleep(0.1)
    out(health.get("scheduler") is True, "scheduler: health says it is on")
    out(health.get("last_session") == session, "scheduler: ran %s by itself" % session,
        health.get("last_session"))
    s, _, summary = get_json("/api/summary")
    out(s == 200 and summary.get("session") == session, "scheduler: the summary shows the run",
        (s, summary.get("session")))


def check_flood(marker, n):
    """Holds n idle connections (connected, nothing sent); /api/health must
    still answer on a fresh one, quickly; then writes marker and holds them
    10 s more, so that serve.sh can time a SIGTERM under the flood."""
    import socket
    held = []
    for _ in range(n):
        try:
            held.append(socket.create_connection((HOST, PORT), timeout=5))
        except OSError as e:
            out(False, "flood: %d idle connections opened" % n, "%d then %s" % (len(held), e))
            break
    # Let the server accept them all before asking.
    time.sleep(0.3)
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection(HOST, PORT, timeout=3)
        c.request("GET", "/api/health")
        r = c.getresponse()
        body = r.read()
        c.close()
        ms = (time.monotonic() - t0) * 1000
        out(r.status == 200 and b'"ok":true' in body,
            "flood: /api/health answers with %d idle connections held" % len(held), r.status)
        print("# flood: /api/health took %.1f ms with %d idle connections" % (ms, len(held)),
              flush=True)
    except Exception as e:  # noqa: BLE001 - a timeout is the failure
        out(False, "flood: /api/health answers with %d idle connections held" % len(held),
            "after %.1f s: %r" % (time.monotonic() - t0, e))
    with open(marker, "w") as f:
        f.write("held\n")
    time.sleep(10)
    for s in held:
        s.close()


def main():
    what = sys.argv[1]
    try:
        if what == "main":
            check_main(sys.argv[3], int(sys.argv[4]))
        elif what == "empty":
            check_empty()
        elif what == "token":
            check_token(sys.argv[3])
        elif what == "assets":
            check_assets()
        elif what == "during":
            check_during(sys.argv[3])
        elif what == "flood":
            check_flood(sys.argv[3], int(sys.argv[4]))
        elif what == "sched":
            check_sched(sys.argv[3])
    except Exception as e:  # noqa: BLE001 - report, do not hide
        out(False, "serve_client %s ran to the end" % what, repr(e))


main()

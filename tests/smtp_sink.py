#!/usr/bin/python3
"""tests/smtp_sink.py --port-file F --out F [--cert PEM --key PEM] [--no-starttls]

A mail sink for the notification tests: an SMTP server on 127.0.0.1 with a
random port (written to --port-file once listening) that accepts every
message and appends one JSON object a line to --out: {"mail_from",
"rcpt_to", "auth" (the decoded AUTH PLAIN/LOGIN credentials, or null),
"tls" (whether STARTTLS was done), "data"}. It offers STARTTLS when given a
certificate, unless --no-starttls. Runs until killed. Standard library
only (the smtpd module is gone from newer Pythons)."""
import argparse
import base64
import json
import socket
import socketserver
import ssl
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--cert")
ap.add_argument("--key")
ap.add_argument("--no-starttls", action="store_true")
args = ap.parse_args()
lock = threading.Lock()
ctx = None
if args.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)


class Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def readline(self):
        return self.rfile.readline(65536).decode("utf-8", "replace").rstrip("\r\n")

    def handle(self):
        tls = False
        auth = None
        mail_from, rcpt = None, []
        self.send("220 sink ESMTP")
        while True:
            line = self.readline()
            if not line and self.rfile.closed:
                return
            cmd = line[:4].upper()
            if cmd in ("EHLO", "HELO"):
                ext = ["250-sink", "250-AUTH PLAIN LOGIN", "250-8BITMIME"]
                if ctx and not tls and not args.no_starttls:
                    ext.append("250-STARTTLS")
                ext.append("250 SIZE 10000000")
                for e in ext:
                    self.send(e)
            elif line.upper() == "STARTTLS" and ctx and not args.no_starttls:
                self.send("220 go ahead")
                conn = ctx.wrap_socket(self.connection, server_side=True)
                self.connection = conn
                self.rfile = conn.makefile("rb")
                self.wfile = conn.makefile("wb")
                tls = True
            elif cmd == "AUTH":
                parts = line.split()
                if parts[1].upper() == "PLAIN":
                    blob = parts[2] if len(parts) > 2 else None
                    if not blob:
                        self.send("334 ")
                        blob = self.readline()
                    _, user, pw = base64.b64decode(blob).decode().split("\0")
                else:
                    self.send("334 VXNlcm5hbWU6")
                    user = base64.b64decode(self.readline()).decode()
                    self.send("334 UGFzc3dvcmQ6")
                    pw = base64.b64decode(self.readline()).decode()
                auth = {"user": user, "password": pw}
                self.send("235 ok")
            elif cmd == "MAIL":
                mail_from = line.split(":", 1)[1].strip().split()[0].strip("<>")
                self.send("250 ok")
            elif cmd == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip().strip("<>"))
                self.send("250 ok")
            elif cmd == "DATA":
                self.send("354 end with .")
                data = []
                while True:
                    l = self.readline()
                    if l == ".":
                        break
                    data.append(l[1:] if l.startswith("..") else l)
                with lock, open(args.out, "a") as f:
                    f.write(json.dumps({"mail_from": mail_from, "rcpt_to": rcpt, "auth": auth,
                                        "tls": tls, "data": "\n".join(data)}) + "\n")
                self.send("250 queued")
                mail_from, rcpt = None, []
            elif cmd == "RSET" or cmd == "NOOP":
                self.send("250 ok")
            elif cmd == "QUIT":
                self.send("221 bye")
                return
            elif not line:
                return
            else:
                self.send("502 no")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()

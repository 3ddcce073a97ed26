#!/usr/bin/env python3
"""Loopback stand-in for the AWS sign-in federation endpoint, for xacct tests.

Usage:
    python3 scripts/federation_standin.py

The real endpoint (https://signin.aws.amazon.com/federation) cannot be reached
from tests, so this one checks each request exactly as xacct must send it and
answers as AWS does. It listens on 127.0.0.1 (a free port), prints exactly one
JSON line on stdout ({"endpoint": "http://127.0.0.1:PORT/federation", "port": PORT}),
then serves until stdin reaches EOF. Diagnostics go to stderr.

    GET /federation?Action=getSigninToken[&SessionDuration=N]&Session=JSON
        Session must be a JSON object with exactly sessionId, sessionKey and
        sessionToken (non-empty strings); SessionDuration, when present, an
        integer 900..43200; no other parameter, none repeated.
        -> 200 {"SigninToken": "standin-token-N"}, or 400 with the reason.
    GET  /_standin/requests  -> every request seen: [{"path", "params",
         "session", "session_duration", "error"}]
    POST /_standin/refuse    -> from now on answer getSigninToken with 400, as
         AWS does for expired or unsuitable credentials

Standard library only.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from loopback_service import serve_until_stopped

HOST = "127.0.0.1"
SESSION_KEYS = {"sessionId", "sessionKey", "sessionToken"}

requests = []
state = {"tokens": 0, "refuse": False}
lock = threading.Lock()


def check_token_request(params):
    """Returns (session, duration, error)."""
    allowed = {"Action", "Session", "SessionDuration"}
    extra = set(params) - allowed
    if extra:
        return None, None, f"unexpected parameters {sorted(extra)}"
    repeated = [k for k, v in params.items() if len(v) != 1]
    if repeated:
        return None, None, f"repeated parameters {repeated}"
    if "Session" not in params:
        return None, None, "no Session parameter"
    try:
        session = json.loads(params["Session"][0])
    except ValueError as e:
        return None, None, f"Session is not JSON: {e}"
    if not isinstance(session, dict) or set(session) != SESSION_KEYS:
        keys = sorted(session) if isinstance(session, dict) else type(session).__name__
        return None, None, f"Session must have exactly {sorted(SESSION_KEYS)}, has {keys}"
    if not all(isinstance(v, str) and v for v in session.values()):
        return session, None, "Session values must be non-empty strings"
    duration = None
    if "SessionDuration" in params:
        text = params["SessionDuration"][0]
        if not text.isdigit() or not 900 <= int(text) <= 43200:
            return session, None, f"SessionDuration {text!r} is not 900..43200"
        duration = int(text)
    return session, duration, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the query holds credentials: log the path only
        print(f"federation_standin: {self.command} {urlsplit(self.path).path}", file=sys.stderr, flush=True)

    def answer(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path == "/_standin/refuse":
            with lock:
                state["refuse"] = True
            self.answer(200, "{}")
        else:
            self.answer(404, "not found", "text/plain")

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/_standin/requests":
            with lock:
                self.answer(200, json.dumps(requests))
            return
        params = parse_qs(url.query, keep_blank_values=True)
        record = {"path": url.path, "params": {k: v[0] for k, v in params.items() if k != "Session"}}
        error = None
        if url.path != "/federation":
            error = f"unexpected path {url.path}"
        elif params.get("Action") != ["getSigninToken"]:
            error = f"unexpected Action {params.get('Action')}"
        else:
            session, duration, error = check_token_request(params)
            record["session"] = session
            record["session_duration"] = duration
        with lock:
            if error is None and state["refuse"]:
                error = "refused (as asked through /_standin/refuse)"
            record["error"] = error
            requests.append(record)
            if error is None:
                state["tokens"] += 1
                token = f"standin-token-{state['tokens']}"
        if error is not None:
            self.answer(400, f"Bad Request: {error}", "text/plain")
        else:
            self.answer(200, json.dumps({"SigninToken": token}))


def main():
    server = ThreadingHTTPServer((HOST, 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    serve_until_stopped(server, {"endpoint": f"http://{HOST}:{port}/federation", "port": port})


if __name__ == "__main__":
    main()

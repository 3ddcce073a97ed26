#!/usr/bin/env python3
"""Fault-injecting HTTP proxy for xacct tests: sits between xacct and the
moto sandbox on 127.0.0.1 and answers chosen requests with AWS-style faults.

Usage:
    python3 scripts/fault_proxy.py --upstream http://127.0.0.1:PORT [--default-fault KIND]
                                [--max-in-flight N]

Listens on 127.0.0.1 (port 0 = any free one), prints exactly one JSON line on
stdout when ready: {"endpoint": "http://127.0.0.1:P", "port": P}, then serves
until stdin reaches EOF or SIGTERM/SIGINT arrives, and exits 0. Standard
library only; errors go to stderr.

Every AWS request is forwarded to the upstream and its answer returned,
unless a fault is scheduled for it. The control API (never forwarded):
    POST /_faults        {"plan": [FAULT, ...]} -> the next AWS requests get
                         these faults, one each, in order (replaces any plan)
    GET  /_faults/log    -> [{"action": "AssumeRole", "fault": "throttle"}, ...]
                         every AWS request seen, and what was done to it
    POST /_faults/reset  -> clears the plan and the log
A FAULT is one of:
    {"kind": "throttle"}             HTTP 400 Throttling (Query protocol: STS)
                                     or TooManyRequestsException (JSON protocol:
                                     Organizations, told by X-Amz-Target)
    {"kind": "error500"}             HTTP 500 InternalFailure
    {"kind": "slow", "seconds": S}   wait S seconds, then forward
    {"kind": "drop"}                 read the request, close without answering
    {"kind": "pass"}                 forward
Once the plan is used up requests pass, or get --default-fault (a kind, or
slow:SECONDS) when one is given.

With --max-in-flight N, an AWS request arriving while N others are being
answered is throttled (logged as "throttle-busy"), as Organizations does to a
caller sending too much at once; moto answers one request at a time, so
concurrent requests do pile up.

Every answer closes its connection, so each attempt of a client is a new
connection and a dropped one cannot affect the next.
"""

import argparse
import collections
import http.client
import json
import socket
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from loopback_service import read_body, serve_until_stopped

HOST = "127.0.0.1"
CONTROL_PREFIX = "/_faults"
KINDS = ("throttle", "error500", "slow", "drop", "pass")
# How long the upstream (moto) may take; it is local, so this only bounds a hang.
UPSTREAM_TIMEOUT = 30
# Headers that describe one hop, not the message: never copied across.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",  # recomputed for the body actually sent
}
STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

# Set on shutdown: wakes the handlers waiting out a "slow" fault.
STOP = threading.Event()


def log(msg):
    print(f"fault_proxy: {msg}", file=sys.stderr, flush=True)


def parse_fault(item):
    """A validated fault from a plan item; raises ValueError if malformed."""
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        raise ValueError(f"a fault is {{\"kind\": one of {', '.join(KINDS)}}}: {item!r}")
    fault = {"kind": item["kind"]}
    if fault["kind"] == "slow":
        seconds = item.get("seconds")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"a slow fault needs \"seconds\" >= 0: {item!r}")
        fault["seconds"] = float(seconds)
    return fault


def parse_default_fault(text):
    """--default-fault: a kind, or slow:SECONDS."""
    kind, _, seconds = text.partition(":")
    item = {"kind": kind}
    if kind == "slow":
        try:
            item["seconds"] = float(seconds)
        except ValueError:
            raise argparse.ArgumentTypeError("use slow:SECONDS, e.g. slow:5") from None
    try:
        return parse_fault(item)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Faults:
    """The plan of faults to come and the log of requests seen; thread-safe."""

    def __init__(self, default, max_in_flight=0):
        self.default = default
        self.max_in_flight = max_in_flight
        self.in_flight = 0
        self._lock = threading.Lock()
        self._plan = collections.deque()
        self._log = []

    def enter(self, action):
        """Counts a request in flight; False (and logged) if it is one too many."""
        with self._lock:
            if self.max_in_flight and self.in_flight >= self.max_in_flight:
                self._log.append({"action": action, "fault": "throttle-busy"})
                return False
            self.in_flight += 1
            return True

    def leave(self):
        with self._lock:
            self.in_flight -= 1

    def set_plan(self, faults):
        with self._lock:
            self._plan = collections.deque(faults)

    def reset(self):
        with self._lock:
            self._plan.clear()
            self._log.clear()

    def next(self, action):
        """The fault for the next AWS request, recorded in the log."""
        with self._lock:
            if self._plan:
                fault = self._plan.popleft()
            else:
                fault = self.default or {"kind": "pass"}
            self._log.append({"action": action, "fault": fault["kind"]})
            return fault

    def snapshot(self):
        with self._lock:
            return list(self._log)


def error_body(json_protocol, status_code, code, message):
    """An AWS error answer in the request's protocol: (content type, body)."""
    if json_protocol:
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "Message": message})
    kind = "Sender" if status_code < 500 else "Receiver"
    return "text/xml", (
        f'<ErrorResponse xmlns="{STS_XMLNS}"><Error><Type>{kind}</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"

    # Set on the class by main().
    faults = None
    upstream = None  # (host, port)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass  # no access log

    def _any(self):
        self.close_connection = True
        body = read_body(self)
        path = urlsplit(self.path).path
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return self._control(path, body)
        action = self._action(body)
        json_protocol = "X-Amz-Target" in self.headers
        if not self.faults.enter(action):
            code = "TooManyRequestsException" if json_protocol else "Throttling"
            return self._error(json_protocol, 400, code, "Rate exceeded")
        try:
            self._answer(action, body, json_protocol)
        finally:
            self.faults.leave()

    def _answer(self, action, body, json_protocol):
        fault = self.faults.next(action)
        kind = fault["kind"]
        if kind == "throttle":
            code = "TooManyRequestsException" if json_protocol else "Throttling"
            return self._error(json_protocol, 400, code, "Rate exceeded")
        if kind == "error500":
            return self._error(json_protocol, 500, "InternalFailure", "injected internal failure")
        if kind == "drop":
            # Close without a byte of answer: the client sees the connection end.
            return
        if kind == "slow" and STOP.wait(fault["seconds"]):
            return  # shutting down
        self._forward(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any


    def _action(self, body):
        """The AWS operation: X-Amz-Target (JSON protocol) or Action= (Query)."""
        target = self.headers.get("X-Amz-Target")
        if target:
            return target.rpartition(".")[2]
        query = parse_qs(urlsplit(self.path).query)
        if "Action" in query:
            return query["Action"][0]
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            form = parse_qs(body.decode("utf-8", "replace"))
            if "Action" in form:
                return form["Action"][0]
        return None

    def _control(self, path, body):
        if path == CONTROL_PREFIX and self.command == "POST":
            try:
                plan = json.loads(body or b"{}").get("plan")
                if not isinstance(plan, list):
                    raise ValueError('the body is {"plan": [...]}')
                faults = [parse_fault(item) for item in plan]
            except (ValueError, AttributeError) as exc:
                return self._send(400, "application/json", json.dumps({"error": str(exc)}))
            self.faults.set_plan(faults)
            return self._send(200, "application/json", json.dumps({"planned": len(faults)}))
        if path == CONTROL_PREFIX + "/log" and self.command == "GET":
            return self._send(200, "application/json", json.dumps(self.faults.snapshot()))
        if path == CONTROL_PREFIX + "/reset" and self.command == "POST":
            self.faults.reset()
            return self._send(200, "application/json", "{}")
        return self._send(404, "application/json", json.dumps({"error": "not found"}))

    def _error(self, json_protocol, status, code, message):
        ctype, body = error_body(json_protocol, status, code, message)
        self._send(status, ctype, body, [("x-amzn-RequestId", str(uuid.uuid4()))])

    def _forward(self, body):
        host, port = self.upstream
        conn = http.client.HTTPConnection(host, port, timeout=UPSTREAM_TIMEOUT)
        try:
            # The original Host header goes along: it is part of the signature.
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        except OSError as exc:
            log(f"upstream failed: {exc}")
            return self._send(502, "text/plain", f"fault_proxy: upstream failed: {exc}")
        finally:
            conn.close()
        self._send(response.status, None, data, headers, reason=response.reason)

    def _send(self, status, ctype, body, headers=(), reason=None):
        if isinstance(body, str):
            body = body.encode()
        try:
            self.send_response_only(status, reason)
            if ctype:
                self.send_header("Content-Type", ctype)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out during a slow fault)


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # slow handlers must not hold up the exit

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError, socket.timeout)):
            super().handle_error(request, client_address)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--upstream", required=True, help="the AWS endpoint to forward to: http://127.0.0.1:PORT"
    )
    parser.add_argument(
        "--default-fault",
        type=parse_default_fault,
        help="fault for every request once the plan is used up (a kind, or slow:SECONDS)",
    )
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=0,
        help="throttle requests arriving while this many are answered (default: 0 = no limit)",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: 0 = any free)"
    )
    args = parser.parse_args(argv)
    if args.max_in_flight < 0:
        parser.error("--max-in-flight is 0 (no limit) or more")
    upstream = urlsplit(args.upstream)
    # Loopback only: this proxy never sends anything off the machine.
    if upstream.scheme != "http" or upstream.hostname not in ("127.0.0.1", "localhost") or not upstream.port:
        parser.error("--upstream must be http://127.0.0.1:PORT")
    args.upstream = (upstream.hostname, upstream.port)
    return args


def main(argv=None):
    args = parse_args(argv)
    ProxyHandler.faults = Faults(args.default_fault, args.max_in_flight)
    ProxyHandler.upstream = args.upstream
    try:
        server = ProxyServer((HOST, args.port), ProxyHandler)
    except OSError as exc:
        log(f"cannot listen on {HOST}:{args.port}: {exc}")
        return 1
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="proxy", daemon=True
    )
    thread.start()
    port = server.server_address[1]
    serve_until_stopped(server, {"endpoint": f"http://{HOST}:{port}", "port": port}, STOP)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the loopback services of the tests and benchmarks (moto_sandbox.py, fault_proxy.py,
federation_standin.py, org_standin.py, sso_standin.py) share: they announce themselves with one JSON line on
stdout, then serve until stdin reaches EOF (the test harness drops it) or
SIGTERM/SIGINT arrives."""

import json
import os
import signal
import socket
import sys
import threading
import uuid
from http.server import ThreadingHTTPServer


def announce(payload):
    """The one line a harness waits for; nothing else goes to stdout."""
    print(json.dumps(payload), flush=True)


def wait_for_stop():
    """Blocks until stdin hits EOF or SIGTERM/SIGINT arrives."""
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watch_stdin():
        # Raw os.read on fd 0: a daemon thread blocked inside sys.stdin's
        # buffered reader would abort interpreter shutdown.
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        stop.set()

    threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    # Timed waits so signal handlers always get a chance to run.
    while not stop.wait(0.5):
        pass


def serve_until_stopped(server, payload, stopping=None):
    """Announces `payload`, serves (on the server's own thread) until told to
    stop, then sets `stopping` (so that handlers waiting on it return at once)
    and closes the server."""
    announce(payload)
    wait_for_stop()
    if stopping is not None:
        stopping.set()
    server.shutdown()
    server.server_close()


def read_body(handler):
    """The body of the request `handler` (a BaseHTTPRequestHandler) is
    serving: chunked (as botocore sends some bodies) or of Content-Length."""
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()  # CRLF after each chunk
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def send(handler, status, ctype, body, headers=None):
    """Answers the request `handler` serves as AWS would (a request ID, a
    date), headers and body in one write: two small segments would meet the
    client's delayed ACK and cost 40 ms per answer. A client that hung up
    ends the connection quietly."""
    data = body.encode() if isinstance(body, str) else body
    try:
        handler.send_response_only(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        handler.send_header("Date", handler.date_time_string())
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler._headers_buffer.append(b"\r\n")
        handler.wfile.write(b"".join(handler._headers_buffer) + data)
        handler._headers_buffer = []
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True


class Server(ThreadingHTTPServer):
    """Many requests at once, as AWS answers them; clients that hang up are not errors."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # -j 32 opens many connections at once; the default backlog is 5

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError, socket.timeout)):
            super().handle_error(request, client_address)

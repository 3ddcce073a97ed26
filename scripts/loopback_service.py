"""What the loopback services of the tests (moto_sandbox.py, fault_proxy.py,
federation_standin.py) share: they announce themselves with one JSON line on
stdout, then serve until stdin reaches EOF (the test harness drops it) or
SIGTERM/SIGINT arrives."""

import json
import os
import signal
import threading


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

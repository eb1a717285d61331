"""An OTLP/HTTP receiver on loopback, for error-otel's protocol-level test (test_otlp.rs).

No OpenTelemetry Collector can be installed here, so this stands in for one: it decodes
what the exporters send with the official schema (the `opentelemetry-proto` package) and
writes what arrived, one JSON line per request, for the Rust test to assert on.

Usage: python receiver.py OUT.jsonl

- Binds 127.0.0.1 on a free port chosen by the OS, and prints the port on its first
  stdout line.
- Serves POST /v1/traces, /v1/logs and /v1/metrics with Content-Type
  application/x-protobuf. Each request is parsed as the signal's Export*ServiceRequest
  and appended to OUT.jsonl as {"signal": ..., "body": MessageToDict(request)}; the answer
  is 200 with an empty Export*ServiceResponse.
- Answers 400 to a payload that does not decode, to a missing length or a wrong content
  type, and 404 to any other path.
- Exits when its stdin closes, or on SIGTERM.
"""

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

PROTOBUF = "application/x-protobuf"

# Path -> (signal, request type, response type).
SIGNALS = {
    "/v1/traces": (
        "traces",
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
    ),
    "/v1/logs": (
        "logs",
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
    ),
    "/v1/metrics": (
        "metrics",
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
    ),
}


class Handler(BaseHTTPRequestHandler):
    # Set by main: the output file and the lock that keeps its lines whole.
    out = None
    lock = threading.Lock()

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path not in SIGNALS:
            self.read_body()
            return self.answer(404, b"unknown path\n", "text/plain")
        name, request_type, response_type = SIGNALS[path]
        content_type = self.headers.get("Content-Type", "").split(";", 1)[0].strip()
        if content_type.lower() != PROTOBUF:
            self.read_body()
            return self.answer(400, b"expected application/x-protobuf\n", "text/plain")
        body = self.read_body()
        if body is None:
            return self.answer(400, b"missing or bad Content-Length\n", "text/plain")
        request = request_type()
        try:
            request.ParseFromString(body)
        except DecodeError as error:
            return self.answer(400, f"malformed payload: {error}\n".encode(), "text/plain")
        line = json.dumps({"signal": name, "body": MessageToDict(request)}, sort_keys=True)
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()
        self.answer(200, response_type().SerializeToString(), PROTOBUF)

    def read_body(self):
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None
        if length < 0:
            return None
        body = self.rfile.read(length)
        return body if len(body) == length else None

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: receiver.py OUT.jsonl")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def watch_stdin():
        # Returns at end of file: the test closed our stdin, or died. Unbuffered, so that
        # this thread holds no lock of the interpreter's when it exits on SIGTERM.
        while os.read(sys.stdin.fileno(), 4096):
            pass
        stop.set()

    with open(sys.argv[1], "a", encoding="utf-8") as out:
        Handler.out = out
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        threading.Thread(target=watch_stdin, daemon=True).start()
        print(server.server_address[1], flush=True)
        stop.wait()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()

"""A gRPC server nobody here wrote: the official grpcio, with grpcio-status.

Serves /kv.Kv/Get on 127.0.0.1 (a free port, printed on the first line of stdout once it
listens). The first FAILURES calls abort with a rich status made with
grpc_status.rpc_status.to_status: RESOURCE_EXHAUSTED, an ErrorInfo (reason QUEUE_FULL,
domain peer.python.example, metadata class=busy, code=peer.queue_full, queue=ingest) and a
RetryInfo of 200 ms. Later calls succeed with Reply { value = "from python", node = 7 }.
Each call's monotonic time is appended to LOG as a JSON line. Stops when stdin closes.

    python server.py FAILURES LOG
"""

import itertools
import json
import sys
import time
from concurrent import futures

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status


def reply():
    """Reply { value = 1: "from python", node = 2: 7 } in protobuf, by hand."""
    value = b"from python"
    return b"\x0a" + bytes([len(value)]) + value + b"\x10\x07"


def main():
    failures = int(sys.argv[1])
    log = open(sys.argv[2], "a", buffering=1)
    counter = itertools.count()

    def get(request, context):
        n = next(counter)
        log.write(json.dumps({"call": n, "t": time.monotonic()}) + "\n")
        if n < failures:
            info = error_details_pb2.ErrorInfo(
                reason="QUEUE_FULL",
                domain="peer.python.example",
                metadata={"class": "busy", "code": "peer.queue_full", "queue": "ingest"},
            )
            retry = error_details_pb2.RetryInfo(
                retry_delay=duration_pb2.Duration(seconds=0, nanos=200_000_000)
            )
            details = []
            for message in (info, retry):
                packed = any_pb2.Any()
                packed.Pack(message)
                details.append(packed)
            status = status_pb2.Status(
                code=code_pb2.RESOURCE_EXHAUSTED, message="queue full", details=details
            )
            context.abort_with_status(rpc_status.to_status(status))
        return reply()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.method_handlers_generic_handler(
        "kv.Kv", {"Get": grpc.unary_unary_rpc_method_handler(get)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    main()

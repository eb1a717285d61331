"""A gRPC client nobody here wrote: the official grpcio, with grpcio-status.

Calls /kv.Kv/Get on 127.0.0.1:PORT once per key given, without generated stubs (raw
bytes), and prints one JSON line per call: the status code, the message, the trailers
that are not binary (but `date`, the transport's), and every detail unpacked with grpc_status.rpc_status.from_call.

    python client.py PORT KEY...
"""

import json
import sys

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


def key_value(key):
    """KeyValue { key = 1 } in protobuf, by hand: field 1, length-delimited."""
    data = key.encode()
    assert len(data) < 128
    return b"\x0a" + bytes([len(data)]) + data


def describe(call):
    status = rpc_status.from_call(call)
    out = {
        "code": call.code().name,
        "message": call.details(),
        "trailers": {
            key: value
            for key, value in call.trailing_metadata()
            if not key.endswith("-bin") and key != "date"
        },
        "details": [],
    }
    if status is None:
        return out
    assert status.code == call.code().value[0]
    assert status.message == call.details()
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            out["details"].append(
                {
                    "type": "ErrorInfo",
                    "reason": info.reason,
                    "domain": info.domain,
                    "metadata": dict(info.metadata),
                }
            )
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            out["details"].append(
                {
                    "type": "RetryInfo",
                    "seconds": retry.retry_delay.seconds,
                    "nanos": retry.retry_delay.nanos,
                }
            )
        else:
            out["details"].append({"type": detail.type_url})
    return out


def main():
    port = int(sys.argv[1])
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        get = channel.unary_unary("/kv.Kv/Get")
        for key in sys.argv[2:]:
            try:
                get(key_value(key), timeout=10)
                out = {"ok": True}
            except grpc.RpcError as call:
                out = describe(call)
            out["key"] = key
            print(json.dumps(out, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()

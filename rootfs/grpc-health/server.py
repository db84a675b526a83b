#!/usr/bin/python3
"""A gRPC health server (grpc.health.v1.Health/Check) for swiftlet's gRPC probe tests.

Written with grpcio's generic handlers and the two tiny protobuf messages encoded by hand, so it
needs python3-grpcio alone (Debian), not grpcio-health-checking or protobuf. It answers as
grpcio-health-checking's HealthServicer does: a known service gets its status, an unknown one
NOT_FOUND with no message.

    server.py [--host H] [--log FILE] [--not-serving-after S] [--forever] PORT[:KIND] ...

KIND is `health` (default), `empty` (a gRPC server with no service: UNIMPLEMENTED) or `silent`
(accepts TCP connections and never says a word). Services of a `health` port:
  ""                SERVING (NOT_SERVING once --not-serving-after S seconds have passed)
  "down"            NOT_SERVING
  "service-unknown" SERVICE_UNKNOWN
  "status-7"        status 7, which the enum does not name
  "slow"            SERVING after 10 s
  "huge"            a 5 MiB response (more than a client takes)
  "aborted"         fails with ABORTED, message "100% down: é"
  anything else     NOT_FOUND
Each call appends `service=<s> user-agent=<ua>` to --log. Prints READY once listening; exits
when its stdin closes, so it cannot outlive the test that started it (--forever: runs until
killed, as a container's process does).
"""
import os
import signal
import socket
import sys
import threading
import time
from concurrent import futures

import grpc

started = time.monotonic()
options = {"host": "127.0.0.1", "log": None, "not_serving_after": None, "forever": False}


def encode_status(status):
    # HealthCheckResponse{status = 1}: field 1, wire type 0; 0 (UNKNOWN) is left out (proto3).
    return b"" if status == 0 else bytes([0x08, status])


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_service(request):
    # HealthCheckRequest{service = 1}: field 1, wire type 2. Short strings only (one-byte length).
    if len(request) >= 2 and request[0] == 0x0A:
        return request[2 : 2 + request[1]].decode()
    return ""


def check(request, context):
    service = decode_service(request)
    agent = dict(context.invocation_metadata()).get("user-agent", "")
    if options["log"]:
        with open(options["log"], "a") as log:
            log.write(f"service={service} user-agent={agent}\n")
    if service == "":
        after = options["not_serving_after"]
        healthy = after is None or time.monotonic() - started < after
        return encode_status(1 if healthy else 2)
    if service == "down":
        return encode_status(2)
    if service == "service-unknown":
        return encode_status(3)
    if service == "status-7":
        return encode_status(7)
    if service == "slow":
        time.sleep(10)
        return encode_status(1)
    if service == "huge":
        return b"\x12" + varint(5 << 20) + b"x" * (5 << 20)  # field 2: 5 MiB
    if service == "aborted":
        context.abort(grpc.StatusCode.ABORTED, "100% down: é")
    context.set_code(grpc.StatusCode.NOT_FOUND)
    return b""


def serve_grpc(port, with_health):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    if with_health:
        handler = grpc.unary_unary_rpc_method_handler(check)  # bytes in, bytes out
        server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": handler})]
        )
    if server.add_insecure_port(f"{options['host']}:{port}") == 0:
        sys.exit(f"cannot listen on {options['host']}:{port}")
    server.start()
    return server


def serve_silent(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((options["host"], port))
    listener.listen(16)
    held = []

    def accept():
        while True:
            connection, _ = listener.accept()
            held.append(connection)  # kept open, never read nor written

    threading.Thread(target=accept, daemon=True).start()
    return listener


def main(arguments):
    servers = []
    while arguments and arguments[0].startswith("--"):
        flag = arguments[0]
        if flag == "--forever":
            options["forever"] = True
            arguments = arguments[1:]
            continue
        value = arguments[1]
        arguments = arguments[2:]
        if flag == "--host":
            options["host"] = value
        elif flag == "--log":
            options["log"] = value
        elif flag == "--not-serving-after":
            options["not_serving_after"] = float(value)
        else:
            sys.exit(f"unknown flag {flag}")
    for spec in arguments:
        port, _, kind = spec.partition(":")
        kind = kind or "health"
        if kind == "silent":
            servers.append(serve_silent(int(port)))
        else:
            servers.append(serve_grpc(int(port), kind == "health"))
    print("READY", flush=True)
    if options["forever"]:
        # As a container's pid 1 it gets SIGTERM with no default action: end on it.
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        while True:
            time.sleep(3600)
    sys.stdin.read()  # until stdin closes


if __name__ == "__main__":
    main(sys.argv[1:])

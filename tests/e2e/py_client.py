#!/usr/bin/env python3
"""A second client for copydesk, with Python grpcio: unary, stream, health, gzip, deadline.

Stubs are generated at CI time (see .ci/run):
  python -m grpc_tools.protoc -I proto --python_out=DIR --grpc_python_out=DIR \
      proto/copydesk/v1/copydesk.proto
  python tests/e2e/py_client.py --addr 127.0.0.1:50051 --stubs DIR
Exits 1 on the first failed check.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--addr", default="127.0.0.1:50051")
    ap.add_argument("--stubs", required=True, help="folder with the generated copydesk/v1 stubs")
    args = ap.parse_args()
    sys.path.insert(0, args.stubs)

    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from copydesk.v1 import copydesk_pb2 as pb
    from copydesk.v1 import copydesk_pb2_grpc as pb_grpc

    en = open(os.path.join(DATA, "en.txt"), encoding="utf-8").read()
    de = open(os.path.join(DATA, "de.txt"), encoding="utf-8").read()
    checks = 0

    def check(cond, what):
        nonlocal checks
        if not cond:
            print(f"py_client: FAILED: {what}", file=sys.stderr)
            sys.exit(1)
        checks += 1
        print(f"py_client: ok: {what}")

    options = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
    with grpc.insecure_channel(args.addr, options=options) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = pb_grpc.NormalizerServiceStub(channel)

        r = stub.Normalize(pb.NormalizeRequest(document=pb.Document(id="py-en", text=en)), timeout=30)
        check(r.article.id == "py-en" and r.article.language.code == "en" and r.article.text,
              "unary Normalize (English)")

        raw = open(os.path.join(DATA, "de-windows-1252.txt"), "rb").read()
        r = stub.Normalize(pb.NormalizeRequest(document=pb.Document(id="py-raw", raw=raw)), timeout=30)
        check(r.article.language.code == "de" and "Straßen" in r.article.text,
              "unary Normalize (raw windows-1252, detected)")

        r = stub.Normalize(pb.NormalizeRequest(document=pb.Document(id="py-gz", text=de)),
                           timeout=30, compression=grpc.Compression.Gzip)
        check(r.article.id == "py-gz" and r.article.language.code == "de", "unary Normalize with gzip")

        try:
            stub.Normalize(pb.NormalizeRequest(document=pb.Document(id="py-empty", text="  ")), timeout=30)
            check(False, "empty document refused")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.INVALID_ARGUMENT, f"empty document -> {e.code().name}")

        docs = [pb.Document(id="s1", text=en), pb.Document(id="s2", text=""), pb.Document(id="s3", text=de)]
        items = list(stub.NormalizeStream(iter(pb.NormalizeStreamRequest(document=d) for d in docs), timeout=60))
        check([i.id for i in items] == ["s1", "s2", "s3"], "stream answers in order")
        check([i.WhichOneof("result") for i in items] == ["article", "error", "article"]
              and items[1].error.code == "INVALID_ARGUMENT", "stream: error item in the middle, stream goes on")

        d = stub.DetectLanguage(pb.DetectLanguageRequest(text=de), timeout=30)
        check(d.language.code == "de", "DetectLanguage")

        c = stub.GetCapabilities(pb.GetCapabilitiesRequest(), timeout=30)
        check("en" in c.languages and c.version and c.rules_version, "GetCapabilities")

        try:
            big = (en + "\n\n") * 12000  # ~7.5 MB
            stub.Normalize(pb.NormalizeRequest(document=pb.Document(id="py-slow", text=big)), timeout=0.01)
            check(False, "a 10 ms deadline is exceeded")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.DEADLINE_EXCEEDED, f"10 ms deadline -> {e.code().name}")

        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "copydesk.v1.NormalizerService"):
            h = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
            check(h.status == health_pb2.HealthCheckResponse.SERVING, f"health {service!r} SERVING")

    print(f"py_client: {checks} checks passed")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Calling copydesk from Python with grpcio: a unary call with a deadline and a request id, a
stream, a deadline that passes, and the retry policy of the service config.

    pip install grpcio grpcio-tools
    python3 examples/clients/python/client.py --addr 127.0.0.1:50051

The stubs are generated from proto/ into a temporary folder at start (grpcio-tools); in your
service, generate them once (`python -m grpc_tools.protoc` as below, or `buf generate`).
Exit 1 when a call does not answer as shown. .ci/run runs this against the release server.
"""
import argparse
import json
import os
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# The service config: retry what is safe to retry (copydesk is stateless and Normalize has no
# side effects): UNAVAILABLE (a replica going away, a connection refused) and RESOURCE_EXHAUSTED
# (a replica shedding at its concurrency limit or memory budget), with exponential backoff.
# round_robin spreads calls over every address the name resolves to (a Kubernetes headless
# Service: dns:///copydesk-headless.NAMESPACE.svc.cluster.local:50051).
SERVICE_CONFIG = {
    "loadBalancingConfig": [{"round_robin": {}}],
    "methodConfig": [
        {
            "name": [
                {"service": "copydesk.v1.NormalizerService", "method": "Normalize"},
                {"service": "copydesk.v1.NormalizerService", "method": "DetectLanguage"},
                {"service": "copydesk.v1.NormalizerService", "method": "GetCapabilities"},
            ],
            "timeout": "30s",
            "retryPolicy": {
                "maxAttempts": 4,
                "initialBackoff": "0.1s",
                "maxBackoff": "2s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE", "RESOURCE_EXHAUSTED"],
            },
        }
    ],
}


def generate_stubs(out):
    from grpc_tools import protoc

    proto = os.path.join(ROOT, "proto")
    rc = protoc.main([
        "protoc", f"-I{proto}", f"--python_out={out}", f"--grpc_python_out={out}",
        os.path.join(proto, "copydesk", "v1", "copydesk.proto"),
    ])
    if rc != 0:
        sys.exit(f"client.py: protoc failed ({rc})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--addr", default="127.0.0.1:50051", help="HOST:PORT or a gRPC target (dns:///...)")
    args = ap.parse_args()

    stubs = tempfile.mkdtemp(prefix="copydesk-stubs-")
    generate_stubs(stubs)
    sys.path.insert(0, stubs)
    import grpc
    from copydesk.v1 import copydesk_pb2 as pb
    from copydesk.v1 import copydesk_pb2_grpc as pb_grpc

    def ok(cond, what):
        if not cond:
            sys.exit(f"client.py: FAILED: {what}")
        print(f"python: {what}")

    options = [
        ("grpc.service_config", json.dumps(SERVICE_CONFIG)),
        ("grpc.enable_retries", 1),
        ("grpc.max_receive_message_length", 64 << 20),
    ]
    with grpc.insecure_channel(args.addr, options=options) as channel:
        stub = pb_grpc.NormalizerServiceStub(channel)

        # Unary, with a deadline and a request id (echoed in the response metadata, and on the
        # server's log lines of this call).
        copy = (
            "Hamburg (dpa) - Der Hamburger Hafen hat im vergangenen Jahr mehr Container "
            "umgeschlagen als erwartet. Das teilte die Hafenbehörde am Montag mit.\n\n"
            "Die Zahl der Schiffsanläufe stieg um vier Prozent."
        )
        response, call = stub.Normalize.with_call(
            pb.NormalizeRequest(document=pb.Document(id="py-1", text=copy)),
            timeout=10,
            metadata=[("x-request-id", "py-example-1")],
        )
        echoed = dict(call.initial_metadata()).get("x-request-id")
        a = response.article
        ok(a.id == "py-1" and a.language.code == "de" and "dpa" in a.agencies,
           f"Normalize: language {a.language.code}, agencies {list(a.agencies)}, {a.stats.words} words")
        ok(echoed == "py-example-1", f"x-request-id echoed: {echoed}")

        # A stream: one answer per document, in order; a bad document is an error item.
        docs = [
            pb.Document(id="py-s1", text="The council met on Monday to approve the budget."),
            pb.Document(id="py-s2", text=""),
            pb.Document(id="py-s3", text="Le conseil municipal s'est réuni lundi soir."),
        ]
        items = list(stub.NormalizeStream(
            (pb.NormalizeStreamRequest(document=d) for d in docs), timeout=30))
        kinds = [(i.id, i.WhichOneof("result")) for i in items]
        ok(kinds == [("py-s1", "article"), ("py-s2", "error"), ("py-s3", "article")],
           f"NormalizeStream: {kinds}, error item {items[1].error.code}")

        # A deadline that passes: DEADLINE_EXCEEDED, never a hang. (Not retried: only the
        # codes of the retry policy are.)
        big = copy * 20000
        try:
            stub.Normalize(pb.NormalizeRequest(document=pb.Document(id="py-late", text=big)), timeout=0.005)
            ok(False, "a 5 ms deadline on 4 MB passes")
        except grpc.RpcError as e:
            ok(e.code() == grpc.StatusCode.DEADLINE_EXCEEDED, f"5 ms deadline: {e.code().name}")

        caps = stub.GetCapabilities(pb.GetCapabilitiesRequest(), timeout=5)
        ok(caps.version != "", f"GetCapabilities: version {caps.version}, {len(caps.languages)} languages")
    print("python: the retry policy (UNAVAILABLE, RESOURCE_EXHAUSTED; 4 attempts) is in the service config")


if __name__ == "__main__":
    main()

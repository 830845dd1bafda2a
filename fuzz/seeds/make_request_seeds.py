"""Writes NormalizeRequest seeds for the `request` fuzz target from tests/fixtures/*/input.*:
each fixture as text, as raw bytes, with a charset, a language hint and options. Run from fuzz/."""
import glob, os, sys

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

def field(no, payload):  # length-delimited
    return varint(no << 3 | 2) + varint(len(payload)) + payload

def request(doc, options=b""):
    return field(1, doc) + (field(2, options) if options else b"")

out = sys.argv[1] if len(sys.argv) > 1 else "corpus/request"
os.makedirs(out, exist_ok=True)
for path in sorted(glob.glob("../tests/fixtures/*/input.*")):
    name = os.path.basename(os.path.dirname(path))
    data = open(path, "rb").read()
    lang = name.split("-")[0].encode()
    variants = {
        "text": field(1, name.encode()) + field(2, data) if not path.endswith(".bin") else None,
        "raw": field(1, name.encode()) + field(3, data),
        "raw-charset": field(3, data) + field(4, b"windows-1252"),
        "hint": field(3, data) + field(5, lang) + field(6, b"text/plain; charset=utf-8"),
    }
    for kind, doc in variants.items():
        if doc is None:
            continue
        options = b"\x08\x01" if kind == "hint" else b""
        with open(os.path.join(out, f"{name}-{kind}"), "wb") as f:
            f.write(request(doc, options))

#!/usr/bin/env bash
# Seeds the fuzz corpora from the golden fixtures (tests/fixtures/*/input.*). Run from anywhere.
#   corpus/normalize: each input behind a mode byte (0: raw bytes, 1: text; see normalize.rs)
#   corpus/request:   each input as an encoded NormalizeRequest, in several shapes
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mkdir -p corpus/normalize corpus/request
for f in ../tests/fixtures/*/input.*; do
  n="$(basename "$(dirname "$f")")"
  { printf '\x00'; cat "$f"; } >"corpus/normalize/$n-raw"
  { printf '\x01'; cat "$f"; } >"corpus/normalize/$n-text"
done
python3 seeds/make_request_seeds.py corpus/request
echo "seeded $(ls corpus/normalize | wc -l) normalize and $(ls corpus/request | wc -l) request inputs"

#!/usr/bin/env bash
# Seeds the fuzz corpora from the golden fixtures (tests/fixtures/*/input.*). Run from anywhere.
#   corpus/normalize: each input behind a mode byte (0: raw bytes, 1: text; see normalize.rs)
#   corpus/request:   each input as an encoded NormalizeRequest, in several shapes
#   corpus/formats:   each agency-format fixture (tests/fixtures/formats/*/input.*) behind every
#                     content-type byte (see formats.rs)
#   corpus/html:      each HTML fixture (tests/fixtures/formats/html/*) behind every
#                     content-type byte (see html.rs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mkdir -p corpus/normalize corpus/request corpus/formats corpus/html
for f in ../tests/fixtures/*/input.*; do
  n="$(basename "$(dirname "$f")")"
  { printf '\x00'; cat "$f"; } >"corpus/normalize/$n-raw"
  { printf '\x01'; cat "$f"; } >"corpus/normalize/$n-text"
done
for f in ../tests/fixtures/formats/*/input.*; do
  n="$(basename "$(dirname "$f")")"
  for m in 0 1 2 3 4 5; do
    { printf "\\x0$m"; cat "$f"; } >"corpus/formats/$n-$m"
  done
done
for f in ../tests/fixtures/formats/html/*; do
  n="$(basename "$f")"
  for m in 0 1 2; do
    { printf "\\x0$m"; cat "$f"; } >"corpus/html/$n-$m"
  done
done
python3 seeds/make_request_seeds.py corpus/request
echo "seeded $(ls corpus/normalize | wc -l) normalize, $(ls corpus/request | wc -l) request, $(ls corpus/formats | wc -l) formats and $(ls corpus/html | wc -l) html inputs"

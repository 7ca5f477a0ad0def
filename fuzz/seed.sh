#!/usr/bin/env bash
# Seeds the fuzz corpora with real records from fixtures/ (one record per file).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/arxiv_id corpus/json_records corpus/xml_records
for id in 2401.12345 2401.12345v3 arXiv:0704.0001 hep-th/9901001 math.GT/0309136v2 \
          https://arxiv.org/abs/2104.12255v1 https://arxiv.org/pdf/1707.08567.pdf; do
  printf '%s' "$id" > "corpus/arxiv_id/$(echo "$id" | md5sum | cut -c1-12)"
done
n=0
for f in ../fixtures/arxiv_listing/*.jsonl ../fixtures/kaggle_snapshot/*.jsonl; do
  head -n 5 "$f" | while IFS= read -r line; do
    n=$((n + 1)); printf '%s' "$line" > "corpus/json_records/$(basename "$f")-$(echo "$line" | md5sum | cut -c1-8)"
  done
done
cp ../fixtures/hf_api/*.json corpus/json_records/
if [ -d ../fixtures/arxiv_api ]; then
  find ../fixtures/arxiv_api ../fixtures/oai_pmh -name '*.xml' -size -64k -exec cp {} corpus/xml_records/ \;
fi
echo "seeded: $(ls corpus/arxiv_id | wc -l) ids, $(ls corpus/json_records | wc -l) JSON records, $(ls corpus/xml_records | wc -l) XML documents"

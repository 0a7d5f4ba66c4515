#!/bin/sh
# Train the reader on a machine with a GPU and torch but not this project's environment (the device
# machines: docs/READER.md, "Training on a lent GPU"). CACHE holds base.safetensors, base.json and
# tokenizer.json, written here by `reader_data.py CACHE LAYERS` and carried there without
# articles.json.xz, which is rebuilt there from the vendored SQuAD (it keeps the carry under 64 MiB).
# Usage: training/on_device.sh CACHE OUT [train_reader.py options]   (PYTHON: python3 by default)
set -eu
cache=$1
out=$2
shift 2
python=${PYTHON:-python3}
layers=$($python -c "import json, sys; print(json.load(open(sys.argv[1]))['layers'])" "$cache/base.json")
$python training/reader_data.py "$cache" "$layers" --articles-only
PYTHONUNBUFFERED=1 exec $python training/train_reader.py "$cache" "$out" "$@"

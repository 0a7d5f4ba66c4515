"""Arrays of a safetensors file read memory-mapped: the pages stay the file's, shared by every
process that maps it and dropped under memory pressure, where ``safetensors.numpy.load_file``
copies each array into the process's own memory."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8}


def map_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a safetensors file, memory-mapped read-only (``safetensors.numpy.load_file``
    copies them into memory); ValueError when the file does not hold what its header says."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    if len(raw) < 8:
        raise ValueError(f"{path.name} is too short for a safetensors file")
    size = int(raw[:8].view("<u8")[0])
    try:
        header = json.loads(bytes(raw[8 : 8 + size]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name} has no readable header ({exc})") from exc
    if not isinstance(header, dict):
        raise ValueError(f"{path.name} has no readable header")
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            start, end = (8 + size + int(o) for o in entry["data_offsets"])
            dtype = np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<")
            shape = tuple(int(n) for n in entry["shape"])
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path.name}: {name} has an unreadable entry ({exc!r})") from exc
        if not 8 + size <= start <= end <= len(raw) or end - start != dtype.itemsize * int(np.prod(shape)):
            raise ValueError(f"{path.name}: {name} lies outside the file or does not fit its shape")
        arrays[name] = raw[start:end].view(dtype).reshape(shape)
    return arrays

"""The numpy encoder's model run by torch, for index builds: no transformers, no sentence-transformers.

A build of the default model spent about 5 s importing sentence-transformers and transformers and
loading the model through them, against 1.5 s for torch alone (bench/RESULTS.md, "Build speed").
This runs the same BERT forward as ``NumpyEncoder`` on the same weights (shared with the loaded
numpy encoder, which a build holds to count tokens: loading it twice cost 89 MiB) with torch's kernels,
in bfloat16 where ``builds_in_bf16`` says so, as the build ran sentence-transformers before.
"""

from __future__ import annotations

import warnings

import numpy as np

from .numpy_encoder import NumpyEncoder


class TorchEncoder(NumpyEncoder):
    """A loaded ``NumpyEncoder``'s model run by torch (imported here, not on the query path)."""

    def __init__(self, encoder: NumpyEncoder) -> None:
        import torch

        vars(self).update(vars(encoder))  # its tokenizer and arrays, shared: the model is not loaded again
        with warnings.catch_warnings():  # the mapped tables are read-only, and nothing here writes them
            warnings.filterwarnings("ignore", "The given NumPy array is not writable")
            self._tables = tuple(torch.from_numpy(np.asarray(a)) for a in self._embed)
        # dense weights are held transposed, (in, out): their .T is the (out, in) F.linear takes, unchanged
        self._torch_layers = [
            [torch.from_numpy(a).T if a.ndim == 2 else torch.from_numpy(a) for a in layer] for layer in self._layers
        ]

    def forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BertModel + pooling + L2 normalisation for one padded batch, by torch."""
        import torch
        import torch.nn.functional as F

        from .embed import builds_in_bf16

        batch, width = ids.shape
        hidden, heads = self.dimension, self._heads
        word, position, token_type, ln_w, ln_b = self._tables
        real = torch.from_numpy(mask)
        attend = real.bool()[:, None, None, :]  # keys each query may attend to
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=builds_in_bf16()):
            h = word[torch.from_numpy(ids)] + position[:width] + token_type[torch.from_numpy(types)]
            h = F.layer_norm(h, (hidden,), ln_w, ln_b, self._eps)
            for wq, bq, wk, bk, wv, bv, wo, bo, lw1, lb1, wi, bi, wo2, bo2, lw2, lb2 in self._torch_layers:
                q, k, v = (F.linear(h, w, b).view(batch, width, heads, -1).transpose(1, 2)
                           for w, b in ((wq, bq), (wk, bk), (wv, bv)))  # fmt: skip
                context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
                context = context.transpose(1, 2).reshape(batch, width, hidden)
                attended = F.layer_norm(F.linear(context, wo, bo) + h, (hidden,), lw1, lb1, self._eps)
                inner = F.gelu(F.linear(attended, wi, bi))
                h = F.layer_norm(F.linear(inner, wo2, bo2) + attended, (hidden,), lw2, lb2, self._eps)
            h = h.float()
            if self.pooling == "cls":
                pooled = h[:, 0]
            else:
                pooled = (h * real[:, :, None]).sum(1) / real.sum(1, keepdim=True).clamp(min=1e-9)
            return F.normalize(pooled, dim=1).numpy()

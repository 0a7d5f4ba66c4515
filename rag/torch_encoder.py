"""The numpy encoder's model run by torch, for index builds: no transformers, no sentence-transformers.

A build of the default model spent about 5 s importing sentence-transformers and transformers and
loading the model through them, against 1.5 s for torch alone (bench/RESULTS.md, "Build speed").
This runs the same BERT forward as ``NumpyEncoder`` on the same weights (those of the loaded numpy
encoder, which a build holds to count tokens: loading them twice cost 89 MiB; the dense ones stacked
and cast once to the build's precision) with torch's kernels, in bfloat16 where ``builds_in_bf16``
says so, as the build ran sentence-transformers before.
"""

from __future__ import annotations

import warnings

import numpy as np

from .numpy_encoder import _LAYER_KEYS, NumpyEncoder

SHORT = 64  # batches at most this many tokens wide attend by two batched products, not torch's fused
# kernel: its fixed cost per call made attention 18% of a build of sentences 34 tokens long, and it took
# 5.6x as long as the products on 3-token search terms (bench/RESULTS.md, "Build speed"); past ~100 tokens it wins
_NORMS = {2 * i + b for i, key in enumerate(_LAYER_KEYS) if "LayerNorm" in key for b in (0, 1)}  # kept float32


class TorchEncoder(NumpyEncoder):
    """A loaded ``NumpyEncoder``'s model run by torch (imported here, not on the query path)."""

    def __init__(self, encoder: NumpyEncoder) -> None:
        import torch

        from .embed import builds_in_bf16

        vars(self).update(vars(encoder))  # its tokenizer and arrays, shared: the model is not loaded again
        with warnings.catch_warnings():  # the mapped tables are read-only, and nothing here writes them
            warnings.filterwarnings("ignore", "The given NumPy array is not writable")
            self._tables = tuple(torch.from_numpy(np.asarray(a)) for a in self._embed)
        # dense weights are held transposed, (in, out): their .T is the (out, in) F.linear takes. In
        # bfloat16 they are cast once here (44 MB), not by autocast on every call: the same numbers.
        # Query, key and value are one product (1.26x as fast as three, bench/RESULTS.md, "Build speed")
        self._dtype = torch.bfloat16 if builds_in_bf16() else torch.float32
        self._torch_layers = []
        for layer in self._layers:
            t = [
                (torch.from_numpy(a).T if a.ndim == 2 else torch.from_numpy(a)).to(
                    torch.float32 if i in _NORMS else self._dtype
                )
                for i, a in enumerate(layer)
            ]
            self._torch_layers.append([torch.cat(t[0:6:2]), torch.cat(t[1:6:2]), *t[6:]])

    def forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BertModel + pooling + L2 normalisation for one padded batch, by torch."""
        import torch
        import torch.nn.functional as F

        batch, width = ids.shape
        hidden, heads = self.dimension, self._heads
        word, position, token_type, ln_w, ln_b = self._tables
        real = torch.from_numpy(mask)
        short = width <= SHORT
        if short:  # -inf on the padding keys, one (width, width) block per sequence and head
            hide = torch.zeros(batch, 1, width, dtype=self._dtype).masked_fill(real[:, None, :] == 0, float("-inf"))
            hide = hide.repeat_interleave(heads, 0).expand(batch * heads, width, width)
        else:
            attend = real.bool()[:, None, None, :]  # keys each query may attend to
        bf16 = self._dtype == torch.bfloat16
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            h = word[torch.from_numpy(ids)] + position[:width] + token_type[torch.from_numpy(types)]
            h = F.layer_norm(h, (hidden,), ln_w, ln_b, self._eps)
            for wqkv, bqkv, wo, bo, lw1, lb1, wi, bi, wo2, bo2, lw2, lb2 in self._torch_layers:
                qkv = F.linear(h, wqkv, bqkv).view(batch, width, 3, heads, -1)
                q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))
                if short:
                    q, k, v = (x.reshape(batch * heads, width, -1) for x in (q, k, v))
                    scores = torch.baddbmm(hide, q, k.transpose(1, 2), alpha=q.shape[-1] ** -0.5)
                    context = torch.bmm(torch.softmax(scores, -1), v).view(batch, heads, width, -1)
                else:
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

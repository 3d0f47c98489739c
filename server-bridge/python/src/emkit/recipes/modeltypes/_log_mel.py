"""Log-mel spectrograms, the audio-classification recipe's features, with torch alone.

``torch.stft`` gives the power spectrum; a triangular mel filterbank (the HTK mel scale, as
torchaudio's and librosa's ``htk=True``) sums it into ``n_mels`` bands; their log is what the
network sees. Frames of 25 ms every 10 ms, the usual ones for speech. The filterbank is the
only hand-written part (a dozen lines): the libraries that ship one (torchaudio, librosa)
have no release for torch 2.13 or would pull numba and LLVM for it.
"""

from __future__ import annotations

import math

FRAME_SECONDS = 0.025
HOP_SECONDS = 0.010
FLOOR = 1e-6  # log(0) guard: digital silence


def _hz_to_mel(hz):
    return 2595.0 * math.log10(1.0 + hz / 700.0)


def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int):
    """``float32 [n_mels, n_fft // 2 + 1]``: triangles evenly spaced in mels, 0 Hz to Nyquist."""
    import torch

    bins = torch.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1, dtype=torch.float64)
    mels = torch.linspace(0.0, _hz_to_mel(sample_rate / 2.0), n_mels + 2, dtype=torch.float64)
    edges = 700.0 * (torch.pow(10.0, mels / 2595.0) - 1.0)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    return torch.clamp(torch.minimum(rising, falling), min=0.0).to(torch.float32)


class LogMel:
    """Samples ``[N, L]`` at ``sample_rate`` → log-mel ``[N, n_mels, frames]``."""

    def __init__(self, sample_rate: int, n_mels: int):
        import torch

        self.win_length = round(FRAME_SECONDS * sample_rate)
        self.hop_length = round(HOP_SECONDS * sample_rate)
        self.n_fft = 1 << (self.win_length - 1).bit_length()
        self.window = torch.hann_window(self.win_length)
        self.filters = mel_filterbank(sample_rate, self.n_fft, n_mels)

    def __call__(self, samples):
        import torch

        spectrum = torch.stft(
            samples,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            win_length=self.win_length,
            window=self.window,
            center=True,
            return_complex=True,
        )
        power = spectrum.real**2 + spectrum.imag**2
        return torch.log(torch.matmul(self.filters, power) + FLOOR)

"""Synthesize one line in a fresh process: libespeak-ng keeps state between calls, so repeats drift.

Reads {"text", "lang", "rate"} as JSON on stdin; writes an .npz (samples, phoneme symbols, starts,
ends) on stdout. `synthesize_fresh` runs it; renders use it so the same scene speaks the same.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np

from engine.speech.tts import Phoneme, SpeechError, Utterance, synthesize


def synthesize_fresh(text: str, lang: str = "en", rate: int = 175, timeout: float = 60.0) -> Utterance:
    """Like :func:`synthesize`, in a new process, so the result never depends on earlier lines."""
    request = json.dumps({"text": text, "lang": lang, "rate": rate}).encode("utf-8")
    done = subprocess.run([sys.executable, "-m", "engine.speech.worker"], input=request,
                          capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SpeechError(message[-1] if message else f"speech worker failed ({done.returncode})")
    data = np.load(io.BytesIO(done.stdout), allow_pickle=False)
    phonemes = [Phoneme(str(s), float(a), float(b)) for s, a, b in zip(data["symbols"], data["starts"],
                                                                          data["ends"], strict=True)]
    return Utterance(data["samples"].astype(np.float32), int(data["rate"]), phonemes, text, lang)


def main() -> int:
    """Worker entry point."""
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    try:
        utterance = synthesize(request["text"], request.get("lang", "en"), rate=int(request.get("rate", 175)))
    except SpeechError as error:
        print(str(error), file=sys.stderr)
        return 1
    out = io.BytesIO()
    np.savez(out, samples=utterance.samples, rate=np.int64(utterance.rate),
             symbols=np.array([p.symbol for p in utterance.phonemes], dtype=str),
             starts=np.array([p.start for p in utterance.phonemes]), ends=np.array([p.end for p in utterance.phonemes]))
    sys.stdout.buffer.write(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`persona speak`: text to a WAV with viseme keys, or viseme keys from a recorded voice."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from game.commands.common import fail, print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``speak`` parser."""
    parser = sub.add_parser(
        "speak", help="text to speech with visemes, or visemes from a recording",
        description="Speak TEXT with espeak-ng (en or zh) into a WAV, and write the lip-sync keys "
                    "(a list of {t, viseme, weight}) plus the phonemes with start/end to --visemes. "
                    "With --audio FILE instead of TEXT, compute the visemes from a recorded voice "
                    "(WAV, MP3, M4A, ...) without a transcript.")
    parser.add_argument("text", nargs="?", metavar="TEXT", help="what to say")
    parser.add_argument("--lang", default="en", help="en or zh (default en)")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT.wav", help="the speech as a WAV file")
    parser.add_argument("--visemes", type=Path, metavar="OUT.json", help="viseme keys and phonemes as JSON")
    parser.add_argument("--audio", type=Path, metavar="FILE", help="lip sync from this recording instead")
    parser.add_argument("--rate", type=int, default=175, help="words per minute (default 175)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=run)


def _write_atomic(path: Path, write) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    from scipy.io import wavfile

    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)  # 16-bit PCM: every player reads it
    _write_atomic(path, lambda temp: wavfile.write(temp, rate, pcm))


def run(args: argparse.Namespace) -> int:
    """Synthesize or analyse, and write the files."""
    from engine.audio.decode import SoundError
    from engine.speech import SpeechError, lipsync_from_file, synthesize, viseme_track

    for target in (args.output, args.visemes):
        if target is not None and not target.parent.is_dir():
            return fail(f"{target.parent}: no such folder")
    if args.audio is not None:
        if args.text:
            return fail("give TEXT or --audio, not both")
        if args.visemes is None:
            return fail("--audio needs --visemes OUT.json")
        try:
            track = lipsync_from_file(args.audio)
        except SoundError as error:
            return fail(str(error))
        document = {"source": str(args.audio), "duration": track.duration, "visemes": track.keys, "phonemes": []}
    else:
        if not args.text:
            return fail("say something: persona speak \"Hello\" -o hello.wav, or use --audio FILE")
        if args.output is None and args.visemes is None:
            return fail("name an output: -o OUT.wav and/or --visemes OUT.json")
        try:
            utterance = synthesize(args.text, args.lang, rate=args.rate)
        except SpeechError as error:
            return fail(str(error))
        track = viseme_track(utterance.phonemes, utterance.duration)
        document = {"text": args.text, "lang": args.lang, "duration": utterance.duration, "visemes": track.keys,
                    "phonemes": [{"symbol": p.symbol, "start": round(p.start, 4), "end": round(p.end, 4)}
                                 for p in utterance.phonemes]}
        if args.output is not None:
            _write_wav(args.output, utterance.samples, utterance.rate)
    if args.visemes is not None:
        text = json.dumps(document, ensure_ascii=False, indent=1)
        _write_atomic(args.visemes, lambda temp: Path(temp).write_text(text, encoding="utf-8"))
    summary = {"duration": round(document["duration"], 4), "viseme_keys": len(document["visemes"]),
               "phonemes": len(document["phonemes"]),
               "files": [str(p) for p in (args.output, args.visemes) if p is not None]}
    if args.json:
        print_json(summary)
    else:
        print(f"wrote {', '.join(summary['files'])}: {summary['duration']:.2f} s, "
              f"{summary['viseme_keys']} viseme keys, {summary['phonemes']} phonemes")
    return 0

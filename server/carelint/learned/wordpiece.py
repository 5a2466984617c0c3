"""BERT's uncased WordPiece tokenizer (what the MiniLM sentence encoders were trained with), in
plain Python: lower-case, strip accents, split off punctuation, then greedy longest-match
sub-words from vocab.txt. It matches Hugging Face's BertWordPieceTokenizer(lowercase=True)
(a test checks known encodings) without pulling in that library and its hub client."""

from __future__ import annotations

import unicodedata
from pathlib import Path

VOCAB_FILE = Path(__file__).parent / "data" / "vocab.txt"
MAX_CHARS_PER_WORD = 100


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    # ASCII symbols count as punctuation for BERT ("$", "^", "`"...), as do Unicode P* characters.
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    def __init__(self, vocab_file: Path = VOCAB_FILE):
        words = vocab_file.read_text(encoding="utf-8").split("\n")
        self.vocab = {w: i for i, w in enumerate(words) if w}
        self.unk, self.cls, self.sep = self.vocab["[UNK]"], self.vocab["[CLS]"], self.vocab["[SEP]"]
        self._cache: dict[str, list[int]] = {}

    def words(self, text: str) -> list[str]:
        """BERT's basic tokenization: clean, lower-case, strip accents, split punctuation."""
        out: list[str] = []
        current: list[str] = []
        for ch in unicodedata.normalize("NFD", text.lower()):
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r"):
                continue
            if unicodedata.category(ch) == "Mn":
                continue
            if ch.isspace() or unicodedata.category(ch) == "Zs":
                if current:
                    out.append("".join(current))
                    current = []
            elif _is_punctuation(ch) or _is_cjk(cp):
                if current:
                    out.append("".join(current))
                    current = []
                out.append(ch)
            else:
                current.append(ch)
        if current:
            out.append("".join(current))
        return out

    def word_ids(self, word: str) -> list[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids: list[int] = []
        if len(word) > MAX_CHARS_PER_WORD:
            ids = [self.unk]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    ids = [self.unk]
                    break
                ids.append(found)
                start = end
        if len(self._cache) < 200_000:
            self._cache[word] = ids
        return ids

    def encode(self, text: str, max_length: int = 128) -> list[int]:
        """[CLS] sub-word ids [SEP], truncated to `max_length` ids in all."""
        ids = [i for w in self.words(text) for i in self.word_ids(w)]
        return [self.cls, *ids[: max_length - 2], self.sep]

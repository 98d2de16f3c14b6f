"""Fast, seeded random strings for identifiers that only need to look right.

CIDs, t.co codes, media keys and avatar file names are cut from long random strings
built once per platform from its seed: one slice costs a fraction of a microsecond,
where encoding fresh random bytes per post (base32 of 32 bytes) costs several. Their
collisions do not matter — nothing keys on them; the keys that must be unique (tweet
ids, at:// URIs, Mastodon URIs) are built from time and counters elsewhere.
"""

from __future__ import annotations

import random

SNOWFLAKE_EPOCH_MS = 1_288_834_974_657  # X snowflake epoch (2010-11-04T01:42:54.657Z)

_B32 = "abcdefghijklmnopqrstuvwxyz234567"  # multibase base32 (CIDs, DIDs)
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HEX = "0123456789abcdef"
_TID = "234567abcdefghijklmnopqrstuvwxyz"  # atproto TID alphabet (base32-sortable)
_POOL = 1 << 16


class Pools:
    """Random strings in three alphabets, sliced at seeded random offsets."""

    __slots__ = ("_b32", "_b62", "_hex", "_rand")

    def __init__(self, seed: str) -> None:
        rng = random.Random(seed)
        self._rand = rng.getrandbits
        self._b32 = "".join(rng.choices(_B32, k=_POOL + 64))
        self._b62 = "".join(rng.choices(_B62, k=_POOL + 64))
        self._hex = "".join(rng.choices(_HEX, k=_POOL + 64))

    def b32(self, n: int) -> str:
        o = self._rand(16)
        return self._b32[o : o + n]

    def b62(self, n: int) -> str:
        o = self._rand(16)
        return self._b62[o : o + n]

    def hex(self, n: int) -> str:
        o = self._rand(16)
        return self._hex[o : o + n]

    def cid(self) -> str:
        """A CIDv1 (dag-cbor, sha-256) as the AppView prints it: 'bafyrei' + 52 chars."""
        o = self._rand(16)
        return "bafyrei" + self._b32[o : o + 52]

    def blob(self) -> str:
        """A raw-codec blob CID (images): 'bafkrei' + 52 chars."""
        o = self._rand(16)
        return "bafkrei" + self._b32[o : o + 52]


_PAIRS = tuple(a + b for a in _TID for b in _TID)  # 10 bits -> 2 characters


def tid(us: int, clock: int) -> str:
    """An atproto TID: 13 base32-sortable chars of (microseconds << 10 | clock id).

    The record key of a post is its TID, so the key itself says when it was written
    (radsocial's Bluesky importer reads it back when `createdAt` is unusable).
    """
    n = (us << 10) | (clock & 0x3FF)
    p = _PAIRS
    return (
        _TID[(n >> 60) & 31]
        + p[(n >> 50) & 1023]
        + p[(n >> 40) & 1023]
        + p[(n >> 30) & 1023]
        + p[(n >> 20) & 1023]
        + p[(n >> 10) & 1023]
        + p[n & 1023]
    )

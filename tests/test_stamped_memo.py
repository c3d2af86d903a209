"""The per-process memo under data stamps keeps at most its size, dropping the least recently used first."""

from phb_readiness.audit.stamps import StampedMemo


def test_the_least_recently_used_entry_goes_first():
    memo = StampedMemo(size=2)
    memo.put(("a", "stamp-1"), 1)
    memo.put(("b", "stamp-1"), 2)
    assert memo.get(("a", "stamp-1")) == 1  # "a" is now the most recently used
    memo.put(("c", "stamp-1"), 3)
    assert memo.get(("b", "stamp-1")) is None
    assert memo.get(("a", "stamp-1")) == 1 and memo.get(("c", "stamp-1")) == 3


def test_a_new_stamp_is_a_new_key():
    memo = StampedMemo()
    memo.put(("a", "stamp-1"), "old")
    assert memo.get(("a", "stamp-2")) is None

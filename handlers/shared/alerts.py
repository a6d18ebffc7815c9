"""SNS alerts, published in every Region that can be reached, and always deliverable.

An alert about a Region failure must not depend on that Region: publish to each Region's
topic independently and report which ones were reached.

An alert must also never be refused for its size: SNS refuses a message over 256 KB
(262,144 bytes, not characters: Amazon SNS API Reference, "Publish", Message,
https://docs.aws.amazon.com/sns/latest/api/API_Publish.html; a topic's MaximumMessageSize
defaults to that: Amazon SNS Developer Guide, "Publishing large messages with Amazon SNS",
https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html) with "Message too
long", which once left a completed failover with no alert in either Region. A body that
does not fit is cut by :func:`fit_message` (UTF-8 safe, saying so); the full text stays in
the caller's own record (the failover state record, the backup run record).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

#: SNS subject limit. Source: Amazon SNS API reference, Publish ("Subject ... must be less
#: than 100 characters").
MAX_SUBJECT_CHARS = 99
#: SNS message limit, bytes of UTF-8 (Amazon SNS API Reference, "Publish"); we publish no
#: message attributes, which would count against it too.
MAX_MESSAGE_BYTES = 262_144
#: Key added to a body that had to be cut.
TRUNCATED_KEY = "alert_truncated"


def clip_text(text: str, max_chars: int) -> str:
    """``text`` itself, or its first characters and ``"… [truncated: <n> of <m>
    characters shown]"``, at most ``max_chars`` characters in all (for texts kept in state
    records, which DynamoDB limits to 400 KB per item).

    Raises:
        ValueError: ``max_chars`` is too small for the marker (below 64).
    """
    if max_chars < 64:
        raise ValueError(f"max_chars must be at least 64, got {max_chars}")
    if len(text) <= max_chars:
        return text

    def marker(keep: int) -> str:
        return f"… [truncated: {keep} of {len(text)} characters shown]"

    keep = max_chars - len(marker(max_chars))
    keep += max_chars - keep - len(marker(keep))  # the count may have fewer digits
    return text[:keep] + marker(keep)


def _cut_bytes(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form has at most ``max_bytes`` bytes (never
    half a character)."""
    return text.encode()[:max(0, max_bytes)].decode("utf-8", errors="ignore")


def _shrink(value: Any, cap: int, items: int | None) -> Any:
    """``value`` (plain JSON) with every string longer than ``cap`` bytes cut to ``cap``
    bytes and, when ``items`` is given, every list cut to its first ``items`` entries, each
    cut saying how much of it is shown."""
    if isinstance(value, str):
        size = len(value.encode())
        if size <= cap:
            return value
        return f"{_cut_bytes(value, cap)}… [truncated: {cap} of {size} bytes shown]"
    if isinstance(value, dict):
        return {k: _shrink(v, cap, items) for k, v in value.items()}
    if isinstance(value, list):
        kept = [_shrink(v, cap, items) for v in value[:items]]
        if items is not None and len(value) > items:
            kept.append(f"… [truncated: {items} of {len(value)} entries shown]")
        return kept
    return value


def _largest_fitting(build: Callable[[int], str], hi: int, max_bytes: int) -> tuple[int, str] | None:
    """The largest ``n`` in ``0..hi`` whose ``build(n)`` has at most ``max_bytes`` bytes (a
    size that grows with ``n``), and that text; None when even ``build(0)`` is too long."""
    lo, best = 0, None
    while lo <= hi:
        mid = (lo + hi) // 2
        text = build(mid)
        if len(text.encode()) <= max_bytes:
            best, lo = (mid, text), mid + 1
        else:
            hi = mid - 1
    return best


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, indent=2, sort_keys=True, ensure_ascii=False)


#: A cut string keeps at least this many bytes; below it, long lists are cut instead.
MIN_STRING_BYTES = 200


def fit_message(body: Mapping[str, Any], *, max_bytes: int = MAX_MESSAGE_BYTES,
                full_text: str = "") -> tuple[str, bool]:
    """The alert message for ``body`` (indented JSON, UTF-8) and whether it was cut.

    A body over ``max_bytes`` keeps its shape and stays valid JSON: its strings are cut to
    the longest common length that fits; when that would leave under MIN_STRING_BYTES of
    each (a body of very many entries), strings keep MIN_STRING_BYTES and lists are cut to
    their first entries instead. Each cut says how much is shown, and the key
    ``alert_truncated`` says why and where the full text is (``full_text``). Should neither
    fit (very many keys), the JSON text itself is cut, UTF-8 safe, ending with a line saying
    so. The result always has at most ``max_bytes`` bytes.

    Raises:
        ValueError: ``max_bytes`` is below 1,024.
    """
    if max_bytes < 1024:
        raise ValueError(f"max_bytes must be at least 1024, got {max_bytes}")
    message = _dumps(body)
    size = len(message.encode())
    if size <= max_bytes:
        return message, False
    note = (f"this alert was {size} bytes, over the {max_bytes}-byte SNS message limit: "
            f"long texts are cut; the full text is in {full_text or 'the orchestrator record'}")
    plain = json.loads(message)
    by_string = _largest_fitting(
        lambda cap: _dumps({**_shrink(plain, cap, None), TRUNCATED_KEY: note}), size, max_bytes)
    if by_string is not None and by_string[0] >= MIN_STRING_BYTES:
        return by_string[1], True
    by_items = _largest_fitting(
        lambda n: _dumps({**_shrink(plain, MIN_STRING_BYTES, n), TRUNCATED_KEY: note}),
        size, max_bytes)
    if by_items is not None:
        return by_items[1], True
    tail = f"\n[{TRUNCATED_KEY}: {note}]"
    return _cut_bytes(message, max_bytes - len(tail.encode())) + tail, True


def publish_alert(topic_arns: Mapping[str, str], subject: str, body: Mapping[str, Any],
                  sns_client: Callable[[str], Any], *, full_text: str = "") -> dict[str, str]:
    """Publish one alert to the topic of every Region given.

    Args:
        topic_arns: ``{region: topic_arn}``.
        subject: short subject (cut to 99 characters).
        body: JSON-serialisable message body; cut to fit SNS's limit if needed
            (:func:`fit_message`).
        sns_client: ``region -> boto3 SNS client``.
        full_text: where the full text of a cut body is kept, for the note in the message.

    Returns:
        ``{region: "published" | "failed: <error>"}``. Never raises for an unreachable Region.
    """
    message, _ = fit_message(body, full_text=full_text)
    results: dict[str, str] = {}
    for region, arn in topic_arns.items():
        try:
            sns_client(region).publish(TopicArn=arn, Subject=subject[:MAX_SUBJECT_CHARS],
                                       Message=message)
            results[region] = "published"
        except (ClientError, BotoCoreError) as e:
            results[region] = f"failed: {clip_text(str(e), 500)}"
    return results

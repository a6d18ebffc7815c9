"""moto's DynamoDB items built with one size check instead of one per attribute.

moto keeps an item's attributes in a dict that, on every attribute set, sums the size of the
whole item so far, to refuse an item over DynamoDB's 400 KB limit. Building an item of n
attributes therefore sizes it n times, each time walking every nested map and list. The
failover orchestrator's run record (a timeline map, step records) is put after every step,
and that quadratic walk was the largest share of a handler test's time.

:func:`sized_once` makes ``Item(...)`` size the finished item once. The outcome is the same:
attribute sizes are never negative, so a prefix of the attributes over the limit means the
whole item is over it, and moto's own ``ItemSizeTooLarge`` is raised as before. Later sets
(``UpdateItem``) keep moto's per-set check. The limit: Amazon DynamoDB Developer Guide,
"Service, account, and table quotas in Amazon DynamoDB", item size
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models import dynamo_type
from moto.dynamodb.models.utilities import bytesize

#: The size moto refuses an item above, in bytes (its ``LimitedSizeDict`` check).
MOTO_ITEM_LIMIT_BYTES = 405_000


def _size(value: Any) -> int:
    if type(value) is dynamo_type.DynamoType:
        return int(value.size())
    return bytesize(str(value))


def _init(item: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    item.hash_key = hash_key
    item.range_key = range_key
    typed = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + _size(value) for key, value in typed.items()) > MOTO_ITEM_LIMIT_BYTES:
        raise ItemSizeTooLarge
    item.attrs = dynamo_type.LimitedSizeDict(typed)   # dict.update: no per-key check


@contextlib.contextmanager
def sized_once() -> Iterator[None]:
    """Patch moto's ``Item.__init__`` for the block (see the module docstring); restores
    moto's own afterwards, also when the block raises. Nested use is harmless."""
    original = dynamo_type.Item.__init__
    dynamo_type.Item.__init__ = _init   # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        dynamo_type.Item.__init__ = original   # type: ignore[method-assign]

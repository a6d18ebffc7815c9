"""Three things moto does unlike AWS, set right for the harness: :func:`moto_fixes` applies all.

**Unique DB instance resource ids.** moto gives every RDS instance the same ``DbiResourceId``;
RDS gives each instance its own, Region-unique and immutable ("DbiResourceId: The AWS
Region-unique, immutable identifier for the DB instance", Amazon RDS API Reference,
DBInstance, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html).
The drill tells a kept instance from a replaced one by it, which the constant made
impossible: :func:`unique_dbi_resource_ids` gives each new instance ``db-`` and 26 random
upper-case letters and digits, the form RDS uses.

**KMS key material made when first used.** moto generates an RSA key pair for every KMS key
it creates, symmetric ones included (~60 ms each, several per emulated site), for the
asymmetric Sign/Verify/GetPublicKey calls; :func:`lazy_kms_key_pairs` makes it on the first
of those calls instead. Nothing here signs with a KMS key; the answers are moto's own.

**DynamoDB items sized once.** moto's DynamoDB items are built with one size check per
attribute.

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
import secrets
import string
import threading
from collections.abc import Iterator
from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models import dynamo_type
from moto.dynamodb.models.utilities import bytesize
from moto.kms import models as kms_models
from moto.rds import models as rds_models

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


_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_dbi_resource_id() -> str:
    """``db-`` and 26 random upper-case letters and digits."""
    return "db-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(26))


@contextlib.contextmanager
def unique_dbi_resource_ids() -> Iterator[None]:
    """Give each DB instance moto creates in the block its own ``DbiResourceId`` (module
    docstring): a new instance and a read replica (which moto makes as a copy of its source);
    moto's own methods are back afterwards. A snapshot still carries the id of the instance it
    was taken from, as in RDS."""
    instance, backend = rds_models.DBInstance, rds_models.RDSBackend
    init, replica = instance.__init__, backend.create_db_instance_read_replica

    def own_id_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.dbi_resource_id = new_dbi_resource_id()

    def own_id_replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
        made = replica(self, db_kwargs)
        made.dbi_resource_id = new_dbi_resource_id()
        return made

    instance.__init__ = own_id_init   # type: ignore[method-assign]
    backend.create_db_instance_read_replica = own_id_replica   # type: ignore[method-assign]
    try:
        yield
    finally:
        instance.__init__ = init   # type: ignore[method-assign]
        backend.create_db_instance_read_replica = replica   # type: ignore[method-assign]


class _LazyKeyPair:
    """moto's private key of ``key_spec``, generated on first attribute use."""

    def __init__(self, generate: Any, key_spec: str) -> None:
        self._generate, self._key_spec = generate, key_spec
        self._real: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):   # copy/pickle probes: a plain object's answers
            raise AttributeError(name)
        with self._lock:
            if self._real is None:
                self._real = self._generate(self._key_spec)
        return getattr(self._real, name)


@contextlib.contextmanager
def lazy_kms_key_pairs() -> Iterator[None]:
    """KMS keys created in the block get their key pair on first use (module docstring);
    moto's own generator is back afterwards."""
    original = kms_models.generate_private_key
    kms_models.generate_private_key = lambda key_spec: _LazyKeyPair(original, key_spec)
    try:
        yield
    finally:
        kms_models.generate_private_key = original


_USERS_LOCK = threading.Lock()
_users = 0
_applied: contextlib.ExitStack | None = None


@contextlib.contextmanager
def moto_fixes() -> Iterator[None]:
    """Every fix of the module docstring for the block. Counted: blocks that overlap (two
    emulators, a drill inside a mocked test) share one patch, applied by the first to enter
    and removed by the last to leave, whatever order they end in."""
    global _users, _applied
    with _USERS_LOCK:
        if _users == 0:
            stack = contextlib.ExitStack()
            stack.enter_context(sized_once())
            stack.enter_context(unique_dbi_resource_ids())
            stack.enter_context(lazy_kms_key_pairs())
            _applied = stack
        _users += 1
    try:
        yield
    finally:
        with _USERS_LOCK:
            _users -= 1
            if _users == 0 and _applied is not None:
                _applied.close()
                _applied = None

"""The options and tag that keep a deploy from replacing or deleting a database that holds
data (:mod:`contract.deploy_safety`), set from one place for every database resource.

``retainOnDelete`` always; ``protect`` where the phase keeps the resource; ``ignoreChanges``
from the contract's lists; :data:`contract.deploy_safety.RETAIN_TAG` on each resource retained,
because the policy pack sees ``protect`` and ``ignoreChanges`` but not ``retainOnDelete``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from components.common import child, tags
from components.settings import DrSettings
from contract.deploy_safety import RETAIN_TAG, RETAIN_VALUE
from contract.names import Role


def kept_options(parent: pulumi.Resource, provider: pulumi.ProviderResource, *, protect: bool,
                 ignore: Sequence[str], replace_on: Sequence[str] = (),
                 **kwargs: Any) -> pulumi.ResourceOptions:
    """Options of a database resource: ``parent``, its Region's ``provider``,
    ``retain_on_delete``, ``protect`` as given, ``ignore_changes`` = ``ignore`` and, when given,
    ``replace_on_changes`` = ``replace_on``."""
    return child(parent, provider, protect=protect, retain_on_delete=True,
                 ignore_changes=list(ignore), replace_on_changes=list(replace_on) or None,
                 **kwargs)


def kept_tags(s: DrSettings, role: Role | None = None, **extra: str) -> dict[str, str]:
    """The stack's tags with ``role`` and the retain tag (set with :func:`kept_options`)."""
    return {**tags(s, role, **extra), RETAIN_TAG: RETAIN_VALUE}

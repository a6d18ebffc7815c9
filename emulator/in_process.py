"""moto's in-process mock of the emulated account, set up for the site's parts.

:func:`mocked_aws` is ``moto.mock_aws`` for the handler tests and the benchmarks, which call
the handlers in this process (the drill runs a moto server instead, :mod:`emulator.server`):

* Lambda functions run without Docker: the site's warm-up function is invoked, and moto
  answers from its simple Lambda backend instead of starting a container;
* EC2 loads no default AMIs: an RDS instance makes moto build an EC2 backend per Region, and
  its ~1,300 default AMIs per Region would be most of a site's build time; no part needs one;
* each DB instance gets its own resource id, and DynamoDB items are sized once when built
  (:mod:`emulator.moto_fixes`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from unittest import mock

from moto import mock_aws

from emulator.moto_fixes import moto_fixes


@contextlib.contextmanager
def mocked_aws() -> Iterator[None]:
    """``moto.mock_aws`` for the block, set up as the module docstring says (the EC2 setting
    is an environment variable, restored afterwards)."""
    with mock.patch.dict(os.environ, {"MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}), \
            mock_aws(config={"lambda": {"use_docker": False}}), moto_fixes():
        yield

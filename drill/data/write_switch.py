"""Each Region's shop follows its write switch (``contract.names.write_switch_parameter``) in
the emulator's SSM, on the drill's clock (:meth:`dataplane.shop.ShopApp.follow_write_switch`),
as the site's app would in AWS: the failback's ``pause_writes`` then really stops orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.names import write_switch_parameter
from contract.phases import WriteSwitch
from dataplane.shop import ShopApp

ClientFactory = Callable[[str, str], Any]


def reader(clients: ClientFactory, region: str, stack: str) -> Callable[[], str | None]:
    """``() -> value`` of the switch in ``region`` (None: the parameter does not exist)."""
    def read() -> str | None:
        ssm = clients("ssm", region)
        try:
            return str(ssm.get_parameter(Name=write_switch_parameter(stack))["Parameter"]["Value"])
        except ssm.exceptions.ParameterNotFound:
            return None
    return read


def follow(app: ShopApp, clients: ClientFactory, region: str, stack: str,
           clock: Callable[[], float]) -> None:
    """Make ``app`` follow the switch of ``region`` on ``clock``."""
    app.follow_write_switch(reader(clients, region, stack), clock=clock)


def deploy_missing(clients: ClientFactory, regions: tuple[str, ...], stack: str) -> list[str]:
    """Create the switch (``open``) in each Region of ``regions`` where it does not exist (what
    the program's ``pulumi up`` is meant to deploy); returns the Regions where it was created."""
    created = []
    for region in regions:
        if reader(clients, region, stack)() is None:
            clients("ssm", region).put_parameter(Name=write_switch_parameter(stack),
                                                 Value=str(WriteSwitch.OPEN), Type="String")
            created.append(region)
    return created

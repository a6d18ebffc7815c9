"""Step 2a: start the emulator and stand up the site's existing parts (primary database,
hosted zone, one shop per Region behind the endpoint the handlers and Route 53 probe, each
following its Region's write switch; the shops get their databases in the data-plane step)."""

from __future__ import annotations

from dataplane.shop import ShopApp
from drill.context import DrillContext
from drill.data import write_switch
from drill.data.endpoints import ShopEndpoint
from drill.result import StepRecord
from drill.step import Step
from emulator.site import AuroraPrimary, existing_site


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Start moto on 127.0.0.1 and create the site's existing parts."""
    ctx.emulator.start()
    ctx.faults.closed_port_url = ctx.emulator.closed_port.url
    s, db = ctx.settings, ctx.settings.database
    endpoints = (ShopEndpoint("primary", ShopApp(s.primary_region)),
                 ShopEndpoint("standby", ShopApp(s.standby_region)))
    for endpoint in endpoints:
        write_switch.follow(endpoint.app, ctx.client, endpoint.app.region, ctx.opts.stack,
                            ctx.clock.now)
    a = db.aurora
    aurora = AuroraPrimary(a.engine, a.engine_version, a.instance_count) if a else None
    try:
        ctx.site = site = existing_site(
            ctx.builder(), primary_identifier=db.primary_identifier,
            instance_class=a.instance_class if a else db.instance_class,
            backup_retention_days=a.backup_retention_days if a else db.backup_retention_days,
            expected_primary_arn=db.primary_arn, failover_fqdn=s.site.failover_fqdn,
            configured_zone_id=s.site.hosted_zone_id, endpoints=endpoints, aurora=aurora)
    except BaseException:
        for endpoint in endpoints:
            endpoint.close()
        raise
    rec.detail = {"emulator": ctx.emulator.url, "primary_endpoint": site.primary.url(),
                  "standby_endpoint": site.standby.url(),
                  "hosted_zone": f"{site.configured_zone_id} -> {site.hosted_zone_id}",
                  "primary_db_arn": site.primary_db_arn}


STEP = Step("emulator", "Start the emulator and the site's existing parts", run, setup=True)

"""Code both orchestrators share: AWS clients (:mod:`.aws`), errors (:mod:`.errors`), event
validation (:mod:`.events`), observability (:mod:`.observability`), alerts, HTTP probes."""

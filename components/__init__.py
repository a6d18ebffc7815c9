"""ComponentResources that add dual-Region disaster recovery to an existing site."""

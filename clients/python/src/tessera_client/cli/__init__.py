"""The ``tessera`` command: one file per command group, all on top of the SDK (``tessera_client``)."""

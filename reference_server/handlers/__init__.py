"""Method handlers, one module per method family; each is listed once, with its types,
in :mod:`reference_server.methods`."""

"""Transports carry lines; they know nothing of the protocol."""

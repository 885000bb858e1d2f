"""The app-server account protocol as pydantic models: the one definition of each message.

Everything else (``schema/``, validators, docs) is generated from these models.
"""

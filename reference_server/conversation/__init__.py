"""The conversation surface: threads, turns, the model client and the tools a turn runs.

Nothing here is imported before the server's first answer (the stdio fast path answers
``initialize`` without it), and aiohttp only when a model request is made.
"""

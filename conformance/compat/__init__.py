"""Backward-compatibility gate for the app-server JSON Schema.

Direction-aware: a type that flows client→server may widen but not narrow; a type
that flows server→client may narrow but not widen in ways an old client rejects.
"""

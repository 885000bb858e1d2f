"""The scripted model behind ``/backend-api/codex``: forms, events, queue, default
responder, catalog, request log. Nothing here speaks HTTP; the routes in
:mod:`mock_backend.routes.codex_api` and :mod:`mock_backend.routes.control.model`
move the bytes."""

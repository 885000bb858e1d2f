"""The ``model:`` section of a scenario file: the same forms as the control API.

```yaml
model:
  websocket: accept          # or "426" / "404"
  auth: flag                 # or enforce: 401 for tokens the mock would not accept
  responses:                 # queued in order, as POST {control}/model/responses
    - {text: "Hello!", stream: true}
    - {tool_call: {name: exec_command, arguments: {cmd: "echo hi"}}}
  catalog: [...]             # optional: entries for /backend-api/codex/models
```
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .catalog import CatalogBody
from .forms import ScriptedResponse
from .model_state import ModelSettings, ModelState


class ModelScenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    websocket: Literal["accept", "426", "404"] | None = None
    auth: Literal["flag", "enforce"] | None = None
    responses: list[ScriptedResponse] = Field(default_factory=list, max_length=10_000)
    catalog: list[dict[str, Any]] | None = None

    def apply(self, state: ModelState) -> None:
        state.queue.clear()
        for response in self.responses:
            state.queue.append(response)
        if self.catalog is not None:
            state.set_catalog(CatalogBody(models=self.catalog).models)
        state.update(ModelSettings(websocket=self.websocket, auth=self.auth))

"""Services: the use cases interfaces call (workspace, main job); no HTTP, no printing."""

__all__: list[str] = []

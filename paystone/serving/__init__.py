"""Serving experiments: FastAPI apps built from route handlers, with preloaded artifacts.

Public API: `create_serving_app` / `build_serving_app` (`paystone.serving.app`), `Artifact`
(`.dependencies`), `Request` / `Response` (`.types`), `max_instances` (`.schema`),
`ArtifactReference`, `ArtifactSource`, `InMemoryArtifacts`, `StoredArtifacts` (`.artifacts`),
`MLServingTestClient` (`.testing`). Submodules are imported on use, so that importing a schema
module does not pull in FastAPI.
"""

"""The JSON API, versioned under /api/v1/. Each app adds its router with one line below."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from miroir.api.auth import API_AUTH
from miroir.api.errors import install_error_handlers

api = NinjaAPI(
    title="Miroir API",
    version="1",
    description="Miroir's JSON API. Authenticate with `Authorization: Bearer <token>`; "
    "tokens are created by administrators and see the subtree they are scoped to.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI's assets come from ninja's static files; the validator badge would call
    # validator.swagger.io, and nothing on a Miroir page may reach another host.
    docs=Swagger(settings={"validatorUrl": None}),
    auth=API_AUTH,
)
install_error_handlers(api)

# One line per app: the prefix and the dotted path of its ninja Router.
api.add_router("/", "miroir.org.api.router")  # /units, /members
api.add_router("/instruments", "miroir.instruments.api.router")
api.add_router("/journeys", "miroir.journeys.api.router")
api.add_router("/waves", "miroir.collect.api.router")
api.add_router("/interactions", "miroir.collect.interactions_api.router")
api.add_router("/results", "miroir.results.api.router")
api.add_router("/results", "miroir.journeys.api.map_router")  # /results/units/{id}/map
api.add_router("/voices", "miroir.voices.api.router")
api.add_router("/webhooks", "miroir.webhooks.api.router")

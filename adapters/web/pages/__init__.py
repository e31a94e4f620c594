"""One module per dashboard page (or group of pages), each with `add_routes(router)`."""

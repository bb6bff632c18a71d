"""Two functions claiming one route."""

"""Infrastructure as data: hardware specs, Gunicorn settings and Compute Engine deployment plans."""

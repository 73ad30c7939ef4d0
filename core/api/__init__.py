"""What every app's API (`<app>/api.py`) is built from: authentication by API key or session,
permissions, cursor pagination, problem-details errors and idempotency keys on POST.

Core imports no other app; q2c assembles the routes and the schema (q2c/api_urls.py).
"""

"""Test settings: the environment's database (SQLite by default), eager tasks, fast hashing."""

import os

os.environ.setdefault("DEBUG", "1")  # a developer's settings: DEBUG is off unless told

from .settings import *  # noqa: E402, F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT = None  # tests serve static files through the finders; no collectstatic folder
WHITENOISE_USE_FINDERS = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the browser keeps its clock; the tests fake ours

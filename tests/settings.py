"""Test settings: the production settings with a throw-away secret key and files under a temp folder."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="tenantadmin-tests-"))

from tenantadmin.settings import *  # noqa: E402,F403

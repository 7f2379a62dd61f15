"""Settings of the servers bench/api_create.py starts with --pool: the real settings plus
Django's PostgreSQL connection pool (psycopg-pool) instead of one persistent connection per
HTTP thread, to compare the two.
"""

from gosupport.settings import *  # noqa: F403
from gosupport.settings import DATABASES, env

DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "pool": {"min_size": env.int("BENCH_POOL_SIZE", default=4), "max_size": env.int("BENCH_POOL_SIZE", default=4)},
}

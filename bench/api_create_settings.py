"""Settings of the servers bench/api_create.py starts with --pool: the real settings plus
Django's PostgreSQL connection pool (psycopg-pool).

Under ASGI (daphne) Django runs each request's synchronous code in a thread of its own, so
a persistent connection (CONN_MAX_AGE > 0) belongs to a thread that ends with the request:
every request opens a new PostgreSQL connection and old ones linger until collected. A
per-process pool shared by those threads removes that cost; the benchmark prints figures
for both so the difference can be seen.
"""

from gosupport.settings import *  # noqa: F403
from gosupport.settings import DATABASES, env

DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "pool": {"min_size": env.int("BENCH_POOL_SIZE", default=4), "max_size": env.int("BENCH_POOL_SIZE", default=4)},
}

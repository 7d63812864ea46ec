"""Django Channels' tutorial chat, made a benchmark peer: one consumer, groups on channels_redis.

The Redis to use comes from CHANNELS_REDIS_URL (default redis://127.0.0.1:6379/0).
"""
import os

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["channels"]
ROOT_URLCONF = "chatbench.urls"
ASGI_APPLICATION = "chatbench.asgi.application"
DATABASES = {}
USE_TZ = True
LOGGING_CONFIG = None

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [os.environ.get("CHANNELS_REDIS_URL", "redis://127.0.0.1:6379/0")],
            # channels_redis' default is 100 queued messages per channel; a receiver that falls
            # behind loses messages past it, which the benchmark reports as lost.
            "capacity": int(os.environ.get("CHANNELS_CAPACITY", "1000")),
        },
    }
}

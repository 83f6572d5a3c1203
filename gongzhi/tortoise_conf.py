"""Config for Tortoise's own command (``tortoise -c gongzhi.tortoise_conf.TORTOISE_ORM
makemigrations``)."""

from core.db import tortoise_config
from core.settings import load_settings
from gongzhi.schema import MIGRATIONS, models

TORTOISE_ORM = tortoise_config(load_settings(), models=models(), migrations=MIGRATIONS)

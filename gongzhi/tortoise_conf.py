from core.settings import load_settings
from core.db import tortoise_config
TORTOISE_ORM = tortoise_config(load_settings())

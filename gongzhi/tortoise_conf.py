from gongzhi.settings import load_settings
from gongzhi.db import tortoise_config
TORTOISE_ORM = tortoise_config(load_settings())

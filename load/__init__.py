"""The warehouse: its tables, migrations, views and the API that reads and writes them."""

# Every table's model is registered on the shared metadata as soon as ``load`` is imported, so
# that migrations and schema comparisons always see the whole schema.
from load import detail_models as _detail_models  # noqa: F401

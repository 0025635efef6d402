"""chiso766: the national portal's Bộ chỉ số 766 rankings, kept and turned into notice tables."""

__version__ = "0.1.0"

"""Datasets, the cold-start split and the numpy input pipeline."""
from recjax.data.dataset import Dataset, DataFormatError
from recjax.data.split import Split, cold_start_split

import sys
from pathlib import Path

import pytest
import torch

MODELS = Path(__file__).resolve().parents[1]
if str(MODELS) not in sys.path:   # `python -m pytest models/tests` from the root, without the ini's pythonpath
    sys.path.insert(0, str(MODELS))

REPO = MODELS.parent


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def pytest_configure(config):
    # one thread: the machine is shared, and oversubscribed OpenMP threads spin instead of working
    torch.set_num_threads(1)

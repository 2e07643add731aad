import pytest
import torch

from s7.scan import linear_loop, linear_scan


@pytest.mark.parametrize("length", [1, 2, 3, 7, 64, 1000])
def test_scan_equals_loop(length):
    g = torch.Generator().manual_seed(length)
    a = torch.rand(3, length, 5, generator=g, dtype=torch.float64) * 2 - 1
    b = torch.randn(3, length, 5, generator=g, dtype=torch.float64)
    x0 = torch.randn(3, 5, generator=g, dtype=torch.float64)
    for init in (None, x0):
        xs, last = linear_scan(a, b, init)
        xl, last_l = linear_loop(a, b, init)
        torch.testing.assert_close(xs, xl, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(last, last_l, rtol=1e-12, atol=1e-12)


def test_scan_extra_dims_and_shape_error():
    a, b = torch.rand(2, 9, 3, 4), torch.randn(2, 9, 3, 4)
    torch.testing.assert_close(linear_scan(a, b)[0], linear_loop(a, b)[0])
    with pytest.raises(ValueError, match="same shape"):
        linear_scan(a, b[:, :5])

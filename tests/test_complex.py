"""Complex numbers are refused wherever s2s sees them (docs/limitations.md, Complex numbers): its rules are
written for real numbers, and through a function that is not holomorphic they give a wrong derivative
(|x (1 + 2i)|' is sqrt(5) for x > 0; the rule of abs read for complex numbers gives a complex number)."""
import numpy as np
import pytest

import s2s

C = np.array([1.0 + 2.0j, 3.0])
Z = 2.0j


def literal(x):
    return np.abs(x * (1 + 2j))


def module_array(x):
    return np.sum(np.abs(x * C))


def module_number(x):
    return np.abs(x * Z)


def complex_dtype(x):
    return np.sum(np.abs(np.asarray(x, dtype=np.complex128)))


def astype_complex(x):
    return np.sum(x.astype(complex).real)


@pytest.mark.parametrize("f, line", [(literal, "x * (1 + 2j)"), (module_array, "x * C"), (module_number, "x * Z"),
                                     (complex_dtype, "np.complex128"), (astype_complex, "astype(complex)")])
def test_complex_values_the_function_names_are_refused_at_their_line(f, line):
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.UnsupportedSyntaxError) as info:
            transform(f).source
        assert "complex" in str(info.value) and line in str(info.value)
        assert info.value.filename == __file__


def square_norm(x):
    return np.sum(np.abs(x) ** 2)


@pytest.mark.parametrize("x", [np.array([1.0 + 1.0j, 2.0]), 1.0 + 1.0j, np.complex128(1.0 + 1.0j)],
                         ids=["array", "complex", "np.complex128"])
def test_a_complex_argument_differentiated_is_refused_in_every_transformation(x):
    calls = [lambda: s2s.grad(square_norm)(x), lambda: s2s.value_and_grad(square_norm)(x),
             lambda: s2s.vjp(square_norm)(x), lambda: s2s.jvp(square_norm)((x,), (np.ones(np.shape(x)),)),
             lambda: s2s.jacobian(square_norm)(x), lambda: s2s.jacobian(square_norm, mode="forward")(x),
             lambda: s2s.hessian(square_norm)(x)]
    for call in calls:
        with pytest.raises(TypeError, match="complex.*real and imaginary parts as two real arguments"):
            call()


def scaled_modulus(x, c):
    return np.abs(x * c)


def total_modulus(x, c):
    return np.sum(np.abs(x * c))


def root_of_negative(x):
    return abs((-x) ** 0.5)  # Python's float power: complex for a negative base


def test_a_derivative_that_comes_out_complex_is_refused():
    """|x c| with complex c given as data, and |(-x) ** 0.5| (Python's complex power): the real rules of
    abs would give -1.34 + 1.79j (not sqrt(5)) and -0.707 (not +0.707)."""
    c = np.array([1.0 + 2.0j, 1.0])
    calls = [lambda: s2s.grad(total_modulus)(np.ones(2), c),
             lambda: s2s.value_and_grad(total_modulus, wrt=(0,))(np.ones(2), c),
             lambda: s2s.vjp(scaled_modulus)(np.ones(2), c)[1](np.ones(2)),
             lambda: s2s.jvp(scaled_modulus)((np.ones(2), c), (np.ones(2),)),
             lambda: s2s.jacobian(scaled_modulus)(np.ones(2), c),
             lambda: s2s.jacobian(scaled_modulus, mode="forward")(np.ones(2), c),
             lambda: s2s.grad(root_of_negative)(0.5)]
    for call in calls:
        with pytest.raises(s2s.S2SError, match="a derivative came out complex"):
            call()
    assert s2s.grad(root_of_negative)(-0.5) == pytest.approx(-0.5 / np.sqrt(0.5))  # a real base: as before


def test_real_data_of_other_types_still_works():
    x = np.array([0.5, -1.5], dtype=np.float32)
    g = s2s.grad(square_norm)(x)
    assert np.allclose(g, 2.0 * x.astype(float))
    assert s2s.grad(lambda a, b: a * b, wrt=(0, 1))(2.0, 3) == (3.0, 2.0)


# ndarray subclasses whose operations NumPy defines differently: refused, not differentiated as plain arrays


def doubled_sum(x):
    return np.sum(x) * 2.0


def mean_square(x):
    return np.mean(x ** 2)


def product_with_transpose(x):
    return np.sum(x * x.T)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # (np.matrix's own)
@pytest.mark.parametrize("f, make", [
    (doubled_sum, lambda: np.ma.array([0.3, 0.5, 0.7], mask=[0, 1, 0])),  # was [2, 2, 2]: the masked one counted
    (mean_square, lambda: np.ma.array([0.3, 0.5, 0.7], mask=[0, 1, 0])),  # was 2x/3 where x is right
    (product_with_transpose, lambda: np.matrix([[0.3, 0.5], [0.7, 0.2]])),  # np.matrix's * is a matrix product
], ids=["masked sum", "masked mean", "matrix"])
def test_an_ndarray_subclass_with_its_own_operations_is_refused(f, make):
    x = make()
    for call in (lambda: s2s.grad(f)(x), lambda: s2s.jvp(f)((x,), (np.ones(x.shape),)),
                 lambda: s2s.jacobian(f, mode="forward")(x), lambda: s2s.hessian(f)(x)):
        with pytest.raises(TypeError, match="a subclass of ndarray whose operations NumPy defines differently"):
            call()


MASKED = np.ma.array([1.0, 2.0], mask=[0, 1])


def reads_masked_data(x):
    return np.sum(x * MASKED)


def test_module_data_of_such_a_subclass_is_refused_at_its_line():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="'MASKED', a MaskedArray"):
        s2s.grad(reads_masked_data)(np.ones(2))


def test_a_memmap_is_an_ndarray(tmp_path):
    x = np.memmap(tmp_path / "x.dat", dtype=float, mode="w+", shape=(3,))
    x[:] = [0.3, 0.5, 0.7]
    assert np.allclose(s2s.grad(mean_square)(x), 2.0 * np.asarray(x) / 3.0)


def weighted(p):
    return np.sum(np.abs(p["w"]) ** 2) + np.sum(p["b"])


@pytest.mark.parametrize("w", [np.array([1.0 + 1.0j, 2.0]), np.ma.array([1.0, 2.0], mask=[0, 1])],
                         ids=["complex leaf", "masked leaf"])
def test_a_container_argument_is_checked_leaf_by_leaf(w):
    with pytest.raises(TypeError, match="the argument 'p' holds"):
        s2s.grad(weighted)({"w": w, "b": np.ones(2)})
    g = s2s.grad(weighted)({"w": np.array([1.0, 2.0]), "b": np.ones(2)})
    assert np.allclose(g["w"], [2.0, 4.0]) and np.allclose(g["b"], [1.0, 1.0])

"""Attention from scratch, in NumPy: one head, many heads, and why √d.

**Scaled dot-product attention** (Vaswani et al., 2017) lets each position of
a sequence gather information from the others. Each query vector is compared
with every key vector by a dot product; a softmax turns the scores of one
query into weights that sum to 1; the output is the weighted average of the
value vectors:

.. math::

    \\operatorname{Attention}(Q, K, V) =
    \\operatorname{softmax}\\Big(\\frac{Q K^\\top}{\\sqrt{d}}\\Big) V.

Dividing by :math:`\\sqrt{d}`, for keys of length ``d``, keeps the scores
of unit variance whatever ``d`` is; without it the softmax saturates as
``d`` grows (:func:`softmax_saturation` measures it).

**Multi-head attention** projects the queries, keys and values ``h`` times
with different learned matrices, attends in each of these smaller spaces,
and projects the concatenated results back. :func:`multi_head_attention`
does it with the weight layout of ``keras.layers.MultiHeadAttention``, so
that :func:`mha_weights_from_keras` and :func:`mha_weights_to_keras` can
move weights between the two and the outputs can be compared.

Masks are boolean, ``True`` where a query may look at a key; a masked score
is replaced by a large negative number before the softmax, as Keras does.
"""

from __future__ import annotations

import numpy as np

from grimoire.validation import check_scalar, check_type, positive_int

__all__ = [
    "softmax",
    "scaled_dot_product_attention",
    "softmax_saturation",
    "init_mha_weights",
    "multi_head_attention",
    "mha_weights_from_keras",
    "mha_weights_to_keras",
]

#: The score given to masked positions before the softmax (Keras uses -1e9
#: in float32): its exponential is exactly 0, and a row with every key masked
#: still gives finite (uniform) weights, where -inf would give NaN.
MASKED_SCORE = -1e9

# Keras's sublayer names (the second-to-last part of each variable's path)
# and the names of the weights here.
_KERAS_NAMES = {
    "query": "query",
    "key": "key",
    "value": "value",
    "attention_output": "output",
}
_WEIGHT_NAMES = tuple(
    f"{part}_{kind}"
    for part in ("query", "key", "value", "output")
    for kind in ("kernel", "bias")
)


def _array(name, value, ndim=None):
    array = np.asarray(value, dtype="float64")
    if ndim is not None and array.ndim not in ndim:
        raise ValueError(
            f"Expected `{name}` with {' or '.join(map(str, ndim))} axes. "
            f"Received: {name}.shape={array.shape}"
        )
    return array


def softmax(scores, axis=-1):
    """Exponentiate and normalise along one axis, stably.

    Subtracting the largest score first changes nothing in the result (the
    factor ``exp(-max)`` cancels) and keeps ``exp`` from overflowing.

    Args:
        scores: An array of real numbers.
        axis: The axis along which the results sum to 1.

    Returns:
        A float64 array of the shape of ``scores``, positive, summing to 1
        along ``axis``.

    Raises:
        TypeError: If ``axis`` is not an int.

    Example:
        >>> softmax(np.array([1.0, 2.0, 3.0])).round(3)
        array([0.09 , 0.245, 0.665])
        >>> softmax(np.array([1000.0, 1000.0]))  # no overflow
        array([0.5, 0.5])
    """
    check_scalar("axis", axis, int)
    scores = _array("scores", scores)
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def scaled_dot_product_attention(query, key, value, mask=None, scale=True):
    """Attend from each query to every key and average the values.

    Args:
        query: ``(..., T, d)``: ``T`` queries of length ``d``.
        key: ``(..., S, d)``: ``S`` keys of the same length.
        value: ``(..., S, d_v)``: one value per key.
        mask: Booleans broadcastable to ``(..., T, S)``, ``True`` where a
            query may look at a key; None lets every query see every key.
        scale: Whether to divide the scores by ``sqrt(d)``.

    Returns:
        ``(output, weights)``: ``(..., T, d_v)`` weighted averages of the
        values, and the ``(..., T, S)`` attention weights (each row sums
        to 1).

    Raises:
        TypeError: If ``scale`` is not a bool.
        ValueError: If the inputs have fewer than 2 axes or their lengths
            do not match.

    Example:
        >>> q = np.array([[1.0, 0.0]])
        >>> k = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
        >>> v = np.array([[1.0], [2.0], [3.0]])
        >>> output, weights = scaled_dot_product_attention(q, k, v)
        >>> weights.round(3), output.round(3)
        (array([[0.576, 0.284, 0.14 ]]), array([[1.564]]))
        >>> mask = np.array([[True, True, False]])
        >>> scaled_dot_product_attention(q, k, v, mask)[1].round(3)
        array([[0.67, 0.33, 0.  ]])
    """
    check_type("scale", scale, bool)
    query, key, value = (
        _array(name, array, ndim=range(2, 9))
        for name, array in (("query", query), ("key", key), ("value", value))
    )
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            "Expected `query` and `key` of the same last axis, and as many "
            f"values as keys. Received: query.shape={query.shape}, "
            f"key.shape={key.shape}, value.shape={value.shape}"
        )
    scores = query @ np.swapaxes(key, -1, -2)
    if scale:
        scores = scores / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, MASKED_SCORE)
    weights = softmax(scores)
    return weights @ value, weights


def softmax_saturation(dims, num_keys=64, num_queries=256, scale=True, seed=0):
    """Measure how peaked attention weights are, for random vectors of length d.

    Queries and keys are drawn with independent standard normal entries, so
    that a dot product of length ``d`` has variance ``d``. For each ``d``
    this returns the mean, over the queries, of:

    - ``max_weight``: the largest weight (1 when one key takes it all,
      ``1 / num_keys`` for uniform weights);
    - ``entropy``: the entropy of the weights in nats (``log(num_keys)`` for
      uniform weights, 0 for one-hot);
    - ``gradient``: the Frobenius norm of the softmax's Jacobian
      ``diag(w) - w wᵀ``, the size of the gradient that reaches the scores
      (0 when the softmax is saturated).

    Args:
        dims: The key lengths to try, ints >= 1.
        num_keys: Keys per query.
        num_queries: Queries averaged over.
        scale: Whether the scores are divided by ``sqrt(d)``.
        seed: Seed of the random vectors.

    Returns:
        A dict of three float arrays, one value per ``d``:
        ``"max_weight"``, ``"entropy"`` and ``"gradient"``.

    Raises:
        TypeError: If ``dims`` is not a list or tuple, or a size, ``seed``
            or ``scale`` has the wrong type.
        ValueError: If a size is < 1 or ``seed`` < 0.

    Example:
        >>> scaled = softmax_saturation([4, 256], scale=True)
        >>> unscaled = softmax_saturation([4, 256], scale=False)
        >>> scaled["max_weight"].round(2), unscaled["max_weight"].round(2)
        (array([0.1 , 0.11]), array([0.26, 0.91]))
    """
    check_type("dims", dims, (list, tuple), expected="a list or tuple of ints")
    dims = [positive_int("dims", d) for d in dims]
    num_keys = positive_int("num_keys", num_keys)
    num_queries = positive_int("num_queries", num_queries)
    check_type("scale", scale, bool)
    rng = np.random.default_rng(check_scalar("seed", seed, int, min_value=0))
    results = {"max_weight": [], "entropy": [], "gradient": []}
    for d in dims:
        query = rng.standard_normal((num_queries, 1, d))
        key = rng.standard_normal((num_queries, num_keys, d))
        value = np.zeros((num_queries, num_keys, 1))
        _, weights = scaled_dot_product_attention(query, key, value, scale=scale)
        w = weights[:, 0, :]
        jacobian = w[:, :, None] * np.eye(num_keys) - w[:, :, None] * w[:, None, :]
        results["max_weight"].append(w.max(axis=1).mean())
        results["entropy"].append(-(w * np.log(w + 1e-300)).sum(axis=1).mean())
        results["gradient"].append(np.linalg.norm(jacobian, axis=(1, 2)).mean())
    return {name: np.array(values) for name, values in results.items()}


def init_mha_weights(d_model, num_heads, key_dim, seed=0):
    """Random weights for :func:`multi_head_attention`, in Keras's layout.

    Kernels are drawn from a normal distribution of variance ``1 / fan_in``
    and biases from a small normal one (not zeros, so that a test of the
    weight transfer also covers the biases).

    Args:
        d_model: The length of the input and output vectors.
        num_heads: The number of heads, ``h``.
        key_dim: The length of each head's queries, keys and values.
        seed: Seed of the random weights.

    Returns:
        A dict of float32 arrays, ``query_kernel``, ``key_kernel`` and
        ``value_kernel`` of shape ``(d_model, h, key_dim)``; their biases
        ``(h, key_dim)``; ``output_kernel`` ``(h, key_dim, d_model)`` and
        ``output_bias`` ``(d_model,)``.

    Raises:
        TypeError: If an argument is not an int.
        ValueError: If a size is < 1 or ``seed`` < 0.

    Example:
        >>> weights = init_mha_weights(d_model=8, num_heads=2, key_dim=4)
        >>> names = ["query_kernel", "query_bias", "output_kernel", "output_bias"]
        >>> [weights[name].shape for name in names]
        [(8, 2, 4), (2, 4), (2, 4, 8), (8,)]
    """
    d_model = positive_int("d_model", d_model)
    num_heads = positive_int("num_heads", num_heads)
    key_dim = positive_int("key_dim", key_dim)
    rng = np.random.default_rng(check_scalar("seed", seed, int, min_value=0))
    weights = {}
    for part in ("query", "key", "value"):
        kernel = rng.normal(0, d_model**-0.5, (d_model, num_heads, key_dim))
        weights[f"{part}_kernel"] = kernel.astype("float32")
        weights[f"{part}_bias"] = rng.normal(0, 0.1, (num_heads, key_dim))
    fan_in = num_heads * key_dim
    kernel = rng.normal(0, fan_in**-0.5, (num_heads, key_dim, d_model))
    weights["output_kernel"] = kernel.astype("float32")
    weights["output_bias"] = rng.normal(0, 0.1, d_model)
    return {name: np.asarray(array, "float32") for name, array in weights.items()}


def _check_weights(weights):
    check_type("weights", weights, dict, expected="a dict of arrays")
    missing = [name for name in _WEIGHT_NAMES if name not in weights]
    if missing:
        raise ValueError(
            f"Expected `weights` with the arrays {list(_WEIGHT_NAMES)}. "
            f"Received: weights without {missing}"
        )
    return {name: _array(name, weights[name]) for name in _WEIGHT_NAMES}


def multi_head_attention(query, value, weights, key=None, mask=None):
    """Multi-head attention, as ``keras.layers.MultiHeadAttention`` computes it.

    Each head ``i`` projects the inputs with its own slices of the kernels,
    ``Q_i = query @ W_q[:, i] + b_q[i]`` (and likewise ``K_i``, ``V_i``),
    runs :func:`scaled_dot_product_attention`, and the output projection
    sums the heads' results back into vectors of length ``d_model``.

    Args:
        query: ``(batch_size, T, d_model)``.
        value: ``(batch_size, S, d_model)``.
        weights: A dict of arrays as :func:`init_mha_weights` or
            :func:`mha_weights_from_keras` returns.
        key: ``(batch_size, S, d_model)``, or None to use ``value``.
        mask: Booleans broadcastable to ``(batch_size, T, S)``, ``True``
            where a query may look at a key, or None.

    Returns:
        ``(output, scores)``: ``(batch_size, T, d_model)`` and the attention
        weights, ``(batch_size, h, T, S)``.

    Raises:
        TypeError: If ``weights`` is not a dict.
        ValueError: If ``weights`` lacks an array, or the inputs are not
            3-D.

    Example:
        >>> weights = init_mha_weights(d_model=6, num_heads=2, key_dim=3)
        >>> x = np.random.default_rng(0).normal(size=(1, 4, 6))
        >>> output, scores = multi_head_attention(x, x, weights)
        >>> output.shape, scores.shape, scores.sum(axis=-1).round(6).tolist()
        ((1, 4, 6), (1, 2, 4, 4), [[[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]])
    """
    w = _check_weights(weights)
    query = _array("query", query, ndim=(3,))
    value = _array("value", value, ndim=(3,))
    key = value if key is None else _array("key", key, ndim=(3,))
    q = np.einsum("btd,dhk->bhtk", query, w["query_kernel"])
    q += w["query_bias"][:, None, :]
    k = np.einsum("bsd,dhk->bhsk", key, w["key_kernel"]) + w["key_bias"][:, None, :]
    v = np.einsum("bsd,dhk->bhsk", value, w["value_kernel"])
    v += w["value_bias"][:, None, :]
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)[:, None]  # the same for every head
    heads, scores = scaled_dot_product_attention(q, k, v, mask)
    output = np.einsum("bhtk,hkd->btd", heads, w["output_kernel"])
    return output + w["output_bias"], scores


def mha_weights_from_keras(layer):
    """Read the weights of a built ``keras.layers.MultiHeadAttention``.

    Args:
        layer: A built ``keras.layers.MultiHeadAttention`` (without
            ``use_bias=False``).

    Returns:
        A dict of NumPy arrays in the layout of :func:`init_mha_weights`.

    Raises:
        TypeError: If ``layer`` is not a ``MultiHeadAttention``.
        ValueError: If it is not built yet.

    Example:
        >>> import keras
        >>> layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        >>> _ = layer(np.zeros((1, 4, 6)), np.zeros((1, 4, 6)))
        >>> weights = mha_weights_from_keras(layer)
        >>> weights["query_kernel"].shape, weights["output_kernel"].shape
        ((6, 2, 3), (2, 3, 6))
    """
    variables = _keras_variables(layer)
    return {name: np.array(variable.numpy()) for name, variable in variables.items()}


def mha_weights_to_keras(weights, layer):
    """Copy weights into a ``keras.layers.MultiHeadAttention``, building it.

    Args:
        weights: A dict of arrays as :func:`init_mha_weights` returns.
        layer: A ``keras.layers.MultiHeadAttention`` whose ``num_heads`` and
            ``key_dim`` match the arrays; built here if it is not yet
            (for query and value vectors of length ``d_model``).

    Returns:
        The layer.

    Raises:
        TypeError: If ``weights`` is not a dict or ``layer`` not a
            ``MultiHeadAttention``.
        ValueError: If an array is missing or of the wrong shape.

    Example:
        >>> import keras
        >>> weights = init_mha_weights(d_model=6, num_heads=2, key_dim=3)
        >>> layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        >>> layer = mha_weights_to_keras(weights, layer)
        >>> x = np.random.default_rng(0).normal(size=(1, 4, 6)).astype("float32")
        >>> ours, _ = multi_head_attention(x, x, weights)
        >>> bool(np.abs(layer(x, x).numpy() - ours).max() < 1e-5)
        True
    """
    weights = _check_weights(weights)
    _check_layer(layer)
    if not layer.built:
        d_model = weights["query_kernel"].shape[0]
        layer.build((None, None, d_model), (None, None, d_model))
    for name, variable in _keras_variables(layer).items():
        if tuple(variable.shape) != weights[name].shape:
            raise ValueError(
                f"Expected `weights[{name!r}]` of shape {tuple(variable.shape)}, "
                f"the layer's. Received: shape {weights[name].shape}"
            )
        variable.assign(weights[name].astype(variable.dtype))
    return layer


def _check_layer(layer):
    import keras

    check_type(
        "layer",
        layer,
        keras.layers.MultiHeadAttention,
        expected="a keras.layers.MultiHeadAttention",
    )


def _keras_variables(layer):
    """The layer's variables by the names used here ("query_kernel", ...)."""
    _check_layer(layer)
    if not layer.built:
        raise ValueError(
            "Expected a built `layer`: call it once or build it first. "
            "Received: an unbuilt MultiHeadAttention"
        )
    variables = {}
    for variable in layer.weights:
        part, kind = variable.path.split("/")[-2:]
        variables[f"{_KERAS_NAMES[part]}_{kind}"] = variable
    return variables

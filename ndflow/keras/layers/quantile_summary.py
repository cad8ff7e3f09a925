"""The approximate quantile summary behind ``Discretization.adapt``.

A summary is a float32 array of two rows: sorted sample values and the weight (number of data
points) each stands for. Each batch is thinned to about ``1 / epsilon`` evenly spaced order
statistics, merged into the running summary and re-compressed to ``1 / epsilon`` points by
interpolating the cumulative weight; the bin boundaries are the summary compressed to
``num_bins`` points, all but the last. The arithmetic follows Keras 3 step for step (same
operations in the same order, float32 where it is float32) so adapted boundaries are Keras'.
"""
import numpy as np


def empty_summary():
    """A summary of no data."""
    return np.zeros((2, 0), dtype="float32")


def summarize(values, epsilon):
    """The summary of one batch: every ``step``-th order statistic (the last of each group of
    ``step``), each weighing ``step``; every value when the batch is small."""
    ordered = np.sort(np.reshape(values, [-1]))
    # The spacing is len / (1 / epsilon), computed in that order to truncate as Keras does.
    step = max(np.size(ordered) / (1.0 / epsilon), 1)
    kept = ordered[int(step - 1)::int(step)]
    return np.stack([kept, np.ones_like(kept) * step])


def compress(summary, epsilon):
    """``summary`` reduced to the points at cumulative-weight fractions epsilon, 2 * epsilon,
    ..., 1 (a summary already that small is returned unchanged)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    values = np.interp(targets, fractions, summary[0])
    reached = np.interp(targets, fractions, cumulative)
    weights = reached - np.concatenate((np.array([0]), reached[:-1]))
    return np.stack((values, weights)).astype("float32")


def merge(new, old, epsilon):
    """One compressed summary of the points of ``new`` and ``old``."""
    both = np.concatenate((new, old), axis=1)
    both = np.take(both, np.argsort(both[0]), axis=1)
    return compress(both, epsilon)


def bin_boundaries(summary, num_bins):
    """The ``num_bins - 1`` boundaries that split the summarised data into equal shares."""
    return compress(summary, 1.0 / num_bins)[0, :-1]

"""The abstention threshold fitted on dev: most right decisions, then the widest margin."""

from eval.run import _best_threshold


def test_the_threshold_sits_in_the_widest_gap_among_equally_good_ones():
    # Answering everything from 0.30 up and abstaining below makes 2 mistakes, and so does 0.25–0.26;
    # the gap 0.10–0.20 is the widest of those that make the fewest.
    strengths = [(0.05, False), (0.10, False), (0.20, True), (0.25, False), (0.26, True), (0.40, True)]
    assert _best_threshold(strengths) == 0.15


def test_separable_strengths_get_the_midpoint_between_the_classes():
    assert _best_threshold([(0.1, False), (0.2, False), (0.5, True), (0.7, True)]) == 0.35

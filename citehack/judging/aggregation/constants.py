"""Method names, tie-break steps and the numeric choices the aggregation declares."""

MEAN = "mean"
MEDIAN = "median"
ZSCORE = "zscore"
OFFSET_SCALE = "offset-scale"
METHODS = (MEAN, MEDIAN, ZSCORE, OFFSET_SCALE)
NORMALISED_METHODS = (ZSCORE, OFFSET_SCALE)

STEP_NORMALISED = "normalised score"
STEP_HEAD_TO_HEAD = "head-to-head"
STEP_TOP_CRITERION = "top-weighted criterion"
STEP_JURY_VOTE = "jury vote needed"

TIE_TOLERANCE = 1e-9
# Offset-scale model: weight of the prior on each juror's scale, counted in teams (a juror
# with 20 teams barely feels it), and the floor on the spread of q it divides by.
SCALE_PRIOR_WEIGHT = 1.0
SCALE_PRIOR_FLOOR = 0.25
CLOSE_FRACTION = 0.1
# Arrays of resamples x jurors x teams are processed in chunks of about this many cells.
_CHUNK_CELLS = 2_000_000

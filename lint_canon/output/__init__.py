"""What a run produces and how it is shown: findings, the table of codes they point to (codes.py), formats (pure functions of the findings), fingerprints, baselines, the CI report, the rule pages."""

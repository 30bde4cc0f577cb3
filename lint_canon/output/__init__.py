"""What a run produces and how it is shown: findings, the registry's entries they point to, formats (pure functions of the findings), fingerprints, baselines, the CI report, the rule pages."""

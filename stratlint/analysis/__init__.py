"""Analysis: the engine, the policy, suppressions, the baseline and alignment."""

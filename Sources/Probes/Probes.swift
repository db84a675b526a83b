// Placeholder until the probe worker lands (issue 3).

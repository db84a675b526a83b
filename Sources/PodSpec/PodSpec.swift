// Placeholder until the pod spec lands (issue 3).

// Placeholder until probe I/O lands (issue 3).

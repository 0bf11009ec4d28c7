// The qgen command line: one file per command (Emit, Verify, Explain, Run), shared options and
// error reporting in Options.swift.
QGenCommand.main()

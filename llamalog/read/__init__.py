"""Reading log sources (files, gzip/bz2, globs, directories, file objects) into frames."""

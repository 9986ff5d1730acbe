"""The peer comparison of one assessment, on the web edge (the refresh and lookup live in ``networks/``)."""

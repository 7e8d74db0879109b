"""Tools for making and measuring test material, apart from what users run.

`typeset` typesets a report's figures as a specimen PDF, `rebuild_raw` rebuilds
data/raw from the originals (`make specimens`), `bench` measures the extractor
(`make bench`). Nothing in the runtime package imports from here.
"""

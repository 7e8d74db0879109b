"""openness: China's government information disclosure annual reports as checked data.

Data flows one way: PDF/HTML -> grids (extract, html) -> tidy cells (tables)
-> checks -> metrics -> charts.
"""

__version__ = "0.1.0"

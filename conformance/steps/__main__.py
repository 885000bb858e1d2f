from .table import docs_table

print(docs_table())

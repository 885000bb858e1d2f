from . import docs_table

print(docs_table())

"""Pure engines of the people module: plain data in, plain data out, no storage, web or CLI imports."""

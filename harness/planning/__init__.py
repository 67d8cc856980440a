"""Planning a run: validate the request, pick scenarios, resolve the target, lay out groups."""

"""HTTP plumbing shared by every route module: dependencies and error rendering."""

"""Ideas (opportunities and features): the status workflow and the feedback behind each idea."""

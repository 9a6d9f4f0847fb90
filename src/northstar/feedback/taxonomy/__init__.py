"""The workspace's own categories: label items, train a model on those labels and predict the rest."""

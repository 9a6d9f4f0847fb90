"""The public changelog: entries drafted from shipped ideas, a public page and Atom feed, and an e-mail to every contact who asked."""

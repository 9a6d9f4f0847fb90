"""The web application: app factory, authentication, layout templates and static assets."""

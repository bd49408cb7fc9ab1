"""The project package and the conference core, the bottom layer: editions, news and its
feed, the home page, users and roles, the audit log, mail, Markdown and the page cache.

It imports no app above it; higher apps show themselves on its pages through the extension
points in ``plumbers.extensions``. Only the root URL conf names every app."""

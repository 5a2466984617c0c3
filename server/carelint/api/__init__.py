"""The HTTP layer. `carelint.app.create_app` assembles it: the guard (guard.py), one router per
concern (check, images, settings, session, meta), and the contract's errors (errors.py).
Nothing here checks text: routes hand requests to the engine and return its results."""

"""Run actions in threads released together, for the PostgreSQL race tests."""

import contextlib
import threading
import time

from django.db import connection


def fire_at_once(actions):
    """Run the actions in threads released together by a barrier; return (results, errors).

    `actions`: callables, or (callable, delay) pairs whose delay (seconds) is waited after
    the release. `results` holds each action's return value in order (None where it
    raised); `errors` the exceptions raised, for the caller to report. Each thread closes
    its own database connection, so that none is left open when the test database goes.
    """
    pairs = [action if isinstance(action, tuple) else (action, 0.0) for action in actions]
    barrier = threading.Barrier(len(pairs))
    results, errors = [None] * len(pairs), []

    def run(index, action, delay):
        try:
            barrier.wait(timeout=10)
            if delay:
                time.sleep(delay)
            results[index] = action()
        except Exception as error:  # reported by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action, delay)) for i, (action, delay) in enumerate(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@contextlib.contextmanager
def constraint_dropped(model, name):
    """The negative controls: run without the model's constraint `name`; the rows written
    meanwhile (which may break it) are deleted before it is put back."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    with connection.schema_editor() as editor:
        editor.remove_constraint(model, constraint)
    try:
        yield
    finally:
        model.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(model, constraint)

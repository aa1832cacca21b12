"""Files attached to task and start forms: stored once by content, recorded per case, handed out to those who see the case.

- the ``attachments`` row (which case, task and field a file belongs to, and its sha256) is
  ``engine.store.models.attachments``.
- ``storage``: the upload directory, content-addressed by sha256, written atomically.
- ``uploads``: one posted file as the engine takes it (name and declared type cleaned).
- ``limits``: what a field accepts (``ui:options.accept``) and how large a file may be.
- ``service``: ``attach_uploads`` (a task's completion, engine.commands.tasks.complete) and
  ``open_attachment``; ``store_start_uploads`` and ``bind_to_case`` for a start form, whose case does not
  exist yet (engine.commands.cases.start).

A form field holds only the metadata ``{"name", "content_type", "size", "url"}`` (engine.forms.attachments);
the ``url`` is ``/attachments/<id>``, which web/ serves after asking ``open_attachment``.

Import from the modules: this package stays empty.
"""

"""libcst internals in one place: the only code of lint-canon that touches libcst's private API.

The rest of the package reads libcst trees through its public nodes only. What goes faster than
libcst's own tools does so by leaning on details libcst does not promise to keep; those details,
and the node classes that differ between libcst versions, are here, each with its reason:

- ``walker``: one traversal for the import tracker and every rule, in libcst's visiting order,
  learnt from each node type's ``_visit_and_replace_children`` (and ``__dataclass_fields__``).
- ``positions``: the positions of the reported nodes only, by a subclass of libcst's private
  ``CodegenState`` driven through ``Module._codegen``.
- ``visitors``: ``FastBatchable``, a batched visitor whose methods are listed once per class,
  skipping those libcst marks as no-ops (its ``_is_no_op`` attribute), as ``lazy.Visitor`` does.
- ``lazy``: what the rule modules use so that importing them imports no libcst (a run whose
  prefilter lets no file through parses nothing): ``cst``, libcst imported at its first use, and
  ``Visitor``, the walker's visitor without libcst's base class.
- ``imports``: the import-like node classes of libcst (the ``lazy`` forms came with libcst
  1.9) and what they share, so that code handling imports handles every one of them.

``tests/test_libcst_contract.py`` checks each of these against the installed libcst (walker
events and positions against libcst's own on real files, the import classes it exports, the
no-op marker), so that a libcst release that changes them fails the tests rather than the
findings; ``scripts/test.sh`` runs those tests on the lowest libcst pyproject.toml admits too.
"""

"""The results engine: how every figure is computed, from the roll-ups to the gate.

Read nothing from here in a page, an export or the API: read ``miroir.results.selectors``,
which calls the engine and returns only what the gate released. The engine, bottom up:

- ``tally``       the counts of one roll-up cell (``Tally``) and the SQL that groups answers
                  and responses like roll-up rows (shared with ``results.services``);
- ``release``     a release: every gated sum of one lens and period over the network,
                  packed in arrays (``Release``, ``Packed``), and its bytes;
- ``tree``        the organisation's tree as the results read it;
- ``build``       roll-ups → subtree sums → release days → the gate → a release;
- ``share``       releases shared by the server's processes (``models.SharedRelease``),
                  their advisory lock, and the digest of the code that computes them;
- ``keep``        what this process keeps between requests and its freshness rules, and
                  the background recount;
- ``context``     one request's reading: the tree, the waves, each release, the listening
                  counts, and the reader's view of a release;
- ``stats``       tally → figure: estimates, intervals, changes, the one 0-100 transform
                  and pooled indices;
- ``respondents`` one observation per respondent (linkage's reliability and gap tests).

The privacy rules themselves live in ``miroir.results.gate``.
"""

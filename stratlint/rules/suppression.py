"""SL9xx: the suppression comments themselves.

Suppressions are applied by the engine after every other rule has run
(stratlint.analysis.suppressions): only that step knows which findings a comment
silenced, so it reports these findings, at the comment, through the same policy.
"""

from __future__ import annotations

from stratlint.diagnostics import Severity
from stratlint.rules.base import SuppressionRule


class UnusedSuppression(SuppressionRule):
    code = "SL901"
    name = "unused-suppression"
    summary = "A suppression comment that silences no finding."
    default_severity = Severity.WARNING
    explanation = """
        A '# stratlint: disable=...' comment that matches no finding is left over from a
        problem that was fixed, or names the wrong rule. Left in place, it would silently hide
        the next real finding on that line.

        Bad:
            headline: Close in days   # stratlint: disable=SL203 -- the finding was fixed long ago

        Fix: delete the comment, or the codes in it that no longer match anything. A rule that is
        not enabled in the run is never reported as unused, since it could not have matched.
        """


class UnknownSuppressionCode(SuppressionRule):
    code = "SL902"
    name = "unknown-suppression-code"
    summary = "A suppression comment names a rule that does not exist."
    explanation = """
        Every code or name in a suppression must be a rule ('stratlint rules' lists them). A
        typo silences nothing, so the finding it was meant for still fails the run, or a
        later one slips through unreviewed.

        Bad:
            owner: pmm-lead   # stratlint: disable=SL2O3 -- letter O instead of zero

        Fix: write the rule's code (SL203) or name (missing-value-reference).
        """


class ExpiredWaiver(SuppressionRule):
    code = "SL903"
    name = "expired-waiver"
    summary = "A waiver whose expiry date has passed."
    explanation = """
        A suppression with 'until=YYYY-MM-DD owner=NAME' is a waiver: an agreed, temporary
        exception. After its date it silences nothing, the findings it hid come back, and the
        waiver itself is reported, naming its owner.

        Bad:
            # stratlint: disable=SL203 until=2026-03-31 owner=pmm-lead -- launch copy pending

        Fix: fix the findings and delete the comment, or agree a new date with the owner and
        change 'until='.
        """


class MalformedSuppression(SuppressionRule):
    code = "SL904"
    name = "malformed-suppression"
    summary = "A '# stratlint:' comment that cannot be read."
    explanation = """
        A comment that starts with '# stratlint:' but does not follow the syntax silences
        nothing. The forms are:

            key: value   # stratlint: disable=CODE[,CODE] -- reason
            # stratlint: disable=CODE until=YYYY-MM-DD owner=NAME -- reason
            # stratlint: disable-file=CODE[,CODE] -- reason   (in the comments at the top of the file)

        A waiver (a suppression with 'until=') must name its owner: the person who agreed the
        exception, and who is asked when its date comes.

        Bad:
            # stratlint: disable=SL203 until=31/03/2027
            # stratlint: disable=SL203 until=2027-03-31 -- nobody is named

        Fix: write the date as YYYY-MM-DD, name the waiver's owner=NAME, and put 'disable-file'
        above the first line of content.
        """


SUPPRESSION_RULES: tuple[type[SuppressionRule], ...] = (
    UnusedSuppression,
    UnknownSuppressionCode,
    ExpiredWaiver,
    MalformedSuppression,
)

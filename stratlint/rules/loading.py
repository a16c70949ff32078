"""SL0xx: files that cannot be read as strategy artifacts.

The loader finds these problems while reading; each rule here owns one kind of problem
(``problem``) and reports what the loader found, so severity, selection and suppressions work the
same for them as for every other rule. SL018 reads the file's modeline, which the loader does
not need.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Iterator
from dataclasses import replace

from stratlint.diagnostics import Diagnostic, Edit, Fix, Severity, Span, Stage
from stratlint.graph import FileView
from stratlint.model import reference_at
from stratlint.model.schema import SchemaReference, find_modeline, modeline, read_schema_reference, schema_filename
from stratlint.pointers import split_pointer
from stratlint.problems import LoadProblem, ProblemKind
from stratlint.rules.base import FileRule, LoadRule
from stratlint.rules.context import CheckContext
from stratlint.rules.names import NamedNodes


class InvalidYaml(LoadRule):
    code = "SL001"
    name = "invalid-yaml"
    problem = ProblemKind.INVALID_YAML
    summary = "The file is not valid YAML."
    explanation = """
        The file cannot be parsed as YAML 1.2, so nothing in it counts: its entries vanish from
        the strategy and every reference to them breaks.

        Bad:
            items:
              - id: rm-sso
                title: Single sign-on
               owner: pm-identity      # indented one space too few

        Fix: align the keys of each entry under each other, and quote text that contains ': '.
        """


class DuplicateKey(LoadRule):
    code = "SL002"
    name = "duplicate-key"
    problem = ProblemKind.DUPLICATE_KEY
    summary = "A key appears twice in the same mapping."
    explanation = """
        When a key appears twice, only one value can count, and which one depends on the tool.
        A reviewer reading the file sees both and cannot tell which is meant.

        Bad:
            - id: msg-close-faster
              headline: Close in three days
              headline: Close in half the time

        Fix: keep one of the two keys.
        """


class SchemaViolation(LoadRule):
    code = "SL003"
    name = "schema-violation"
    problem = ProblemKind.SCHEMA_VIOLATION
    summary = "The file does not match the schema for its kind."
    explanation = """
        Every kind has a published JSON Schema (schemas/). A missing required field, an unknown
        field (often a typo), or a value of the wrong type is reported at the key or value.

        Bad:
            - id: rm-sso
              title: Single sign-on
              ownr: pm-identity       # typo: unknown field
              status: planed          # not one of the allowed statuses

        Fix: correct the field name or value. Editors show the schema's hints as you type
        once 'stratlint schemas --vscode' has set them up for the repository. A reference
        that writes a node's name or alias where its id goes ('segments: [Enterprise]') is
        told the id, as a safe fix.
        """

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._names = NamedNodes()

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        for problem in view.problems:
            if problem.kind == self.problem:
                yield self._meant(view, problem, self.at_problem(view.path, problem))

    def _meant(self, view: FileView, problem: LoadProblem, found: Diagnostic) -> Diagnostic:
        """``found``, told the id when the value it is about is a name where an id goes."""
        kind = view.loaded.kind
        ref = reference_at(kind, _tokens(problem.pointer)) if problem.written and kind else None
        named = self._names.meant(view.lookup, ref.targets, problem.written) if ref and problem.written else None
        if named is None:
            return found
        edit = Edit(view.path, found.span, named.node.id, pointer=problem.pointer)
        return replace(
            found,
            message=f"{found.message} Did you mean '{named.node.id}'? {named.called}, and references use its id.",
            fix=Fix(f"replace '{problem.written}' with '{named.node.id}'", safe=True, edits=(edit,)),
        )


def _tokens(pointer: str) -> tuple[str | int, ...]:
    """A JSON pointer's steps, list indexes as numbers."""
    return tuple(int(step) if step.isdigit() else step for step in split_pointer(pointer))


class UnknownKind(LoadRule):
    code = "SL004"
    name = "unknown-kind"
    problem = ProblemKind.UNKNOWN_KIND
    summary = "The file's kind is missing or not one stratlint knows."
    explanation = """
        'kind:' says what a file is: value, narrative, priorities, roadmap, messaging, playbook
        or governance. Without a known kind the file cannot be checked.

        Bad:
            kind: roadmaps

        Fix:
            kind: roadmap
        """


class NotAnArtifact(LoadRule):
    code = "SL005"
    name = "not-an-artifact"
    problem = ProblemKind.NOT_AN_ARTIFACT
    summary = "The file is empty or is not a mapping."
    explanation = """
        A strategy file is a mapping that starts with 'stratlint: 1', 'kind:' and 'id:'. An
        empty file, a file of comments only, or a file that holds a list or a single value
        is not an artifact.

        Bad:
            - rm-sso
            - rm-audit-trail

        Fix: write the file as a mapping with a header, or delete it.
        """


class InvalidEncoding(LoadRule):
    code = "SL006"
    name = "invalid-encoding"
    problem = ProblemKind.INVALID_ENCODING
    summary = "The file is not UTF-8 text, or holds control characters."
    explanation = """
        Strategy files are UTF-8. UTF-16 and UTF-32 files, bytes that are not UTF-8, and
        control characters (often pasted from other tools) are reported at the first bad
        byte. So are the line separators U+2028, U+2029 and U+0085 and a carriage return
        without a line feed: YAML tools disagree on whether they end a line, so every
        position after them would be in doubt. A UTF-8 byte order mark is accepted.

        Fix: save the file as UTF-8 in your editor and delete invisible characters.
        """


class UnsupportedTag(LoadRule):
    code = "SL007"
    name = "unsupported-tag"
    problem = ProblemKind.UNSUPPORTED_TAG
    summary = "A YAML tag outside the core schema."
    explanation = """
        Tags such as '!!python/object/apply' or '!Ref' ask a YAML loader to build objects or
        run code. stratlint never interprets them, and does not quietly accept them as text
        either.

        Bad:
            owner: !Ref pmm-lead

        Fix:
            owner: pmm-lead
        """


class AliasBomb(LoadRule):
    code = "SL008"
    name = "alias-bomb"
    problem = ProblemKind.ALIAS_BOMB
    summary = "Aliases expand to an unreasonable number of values."
    explanation = """
        YAML anchors and aliases let a small file expand into billions of values (the
        'billion laughs' attack). stratlint bounds the expansion and rejects the file before
        anything walks its data.

        Fix: write the values out; strategy files do not need aliases.
        """


class NestingTooDeep(LoadRule):
    code = "SL009"
    name = "nesting-too-deep"
    problem = ProblemKind.NESTING_TOO_DEEP
    summary = "Values are nested deeper than any strategy file needs."
    explanation = """
        Deeply nested lists or mappings can crash YAML parsers. stratlint measures the depth
        before building anything and rejects files nested more than 64 levels.

        Fix: flatten the structure; strategy files nest a handful of levels.
        """


class FileTooLarge(LoadRule):
    code = "SL010"
    name = "file-too-large"
    problem = ProblemKind.FILE_TOO_LARGE
    summary = "The file is larger than the size limit."
    explanation = """
        Files over the size limit (1 MiB unless configured), or holding more than 200,000
        values, are not read, so a stray export or generated file cannot stall a commit or
        fill memory.

        Fix: split the file by team or quarter, or raise 'max-file-size' in the configuration.
        """


class MultipleDocuments(LoadRule):
    code = "SL011"
    name = "multiple-documents"
    problem = ProblemKind.MULTIPLE_DOCUMENTS
    summary = "The file holds more than one YAML document."
    explanation = """
        stratlint reads one artifact per file. A second document after '---' would be
        silently ignored by many tools.

        Fix: move each document into a file of its own.
        """


class UnsupportedYamlVersion(LoadRule):
    code = "SL012"
    name = "unsupported-yaml-version"
    problem = ProblemKind.UNSUPPORTED_YAML_VERSION
    summary = "The file asks for a YAML version other than 1.2."
    explanation = """
        A '%YAML 1.1' directive would bring back YAML 1.1's surprises, where 'no' means false
        (the "Norway problem"). stratlint reads every file as YAML 1.2 and reports the
        directive.

        Bad:
            %YAML 1.1
            ---
            stratlint: 1

        Fix: delete the '%YAML' line.
        """


class MergeKey(LoadRule):
    code = "SL013"
    name = "merge-key"
    problem = ProblemKind.MERGE_KEY
    summary = "A '<<' merge key, which YAML 1.2 does not have."
    explanation = """
        Merge keys are a YAML 1.1 extension. Different tools apply them differently, so the
        merged fields are not read.

        Bad:
            - <<: *defaults
              id: msg-close-faster

        Fix: write the fields out in each entry.
        """


class NonScalarKey(LoadRule):
    code = "SL014"
    name = "non-scalar-key"
    problem = ProblemKind.NON_SCALAR_KEY
    summary = "A mapping key that is a list or a mapping."
    explanation = """
        Keys must be plain text. A list or mapping used as a key ('? [a, b]') cannot name a
        field.

        Fix: use a text key.
        """


class UnreadableFile(LoadRule):
    code = "SL015"
    name = "unreadable-file"
    problem = ProblemKind.UNREADABLE_FILE
    summary = "A file that cannot be read."
    explanation = """
        The file exists but cannot be opened: permissions, or it is not a regular file (a
        FIFO or device named like a YAML file), or it is a link that is broken, loops, or
        points outside the repository. stratlint never blocks on such files and never
        follows a link out of the repository.

        Fix: make the file readable, or remove it from the strategy folder.
        """


class ExtraSchemaViolation(LoadRule):
    code = "SL016"
    name = "extra-schema-violation"
    problem = ProblemKind.EXTRA_SCHEMA_VIOLATION
    summary = "The file breaks a rule of the organisation's own schema for its kind."
    explanation = """
        An organisation can add a JSON Schema per kind on top of the built-in one, in the
        configuration ('extra-schemas'), for rules of its own. Each error is reported at the
        offending value, with the schema's 'description' as the message when it has one.

        Configuration:
            [tool.stratlint.extra-schemas]
            messaging = "schemas/org-messaging.json"   # every message names a persona tag

        Bad:
            - id: msg-close-faster
              headline: Close in half the time
              tags: [launch]              # no 'persona:' tag

        Fix: change the value as the message says (here, add a tag such as
        'persona:controller'), or change the organisation's schema if the rule is wrong.
        """


class TextCutByComment(LoadRule):
    code = "SL017"
    name = "text-cut-by-comment"
    problem = ProblemKind.TEXT_CUT_BY_COMMENT
    summary = "A text value is cut short by ' #', which YAML reads as the start of a comment."
    default_severity = Severity.WARNING
    explanation = """
        In YAML, ' #' (a space, then '#') starts a comment, even in the middle of a text that
        is not in quotes. The rest of the line is silently left out of the value: the file
        is valid, and the headline, claim or answer says less than its writer meant. A '#'
        followed by a letter or digit ('#1', '#hashtag') is almost always meant as text.

        Bad:
            headline: Ranked #1 for month-end close   # the headline is 'Ranked'

        Fix: put the whole text in quotes ("Ranked #1 for month-end close"). If it is a
        comment after all, write it with a space after '#' ('# TODO').
        """


@functools.lru_cache(maxsize=1024)
def _schema_reference(folder: str, target: str) -> SchemaReference:
    """What a modeline in ``folder`` names: the files of a folder mostly share one."""
    return read_schema_reference(posixpath.join(folder, "file.yaml"), target)


class WrongSchemaModeline(FileRule):
    code = "SL018"
    name = "wrong-schema-modeline"
    summary = "A '# yaml-language-server: $schema=' line that does not lead to the schema of the file's kind."
    default_severity = Severity.WARNING
    stage = Stage.AMBIGUITY  # the editor's hints describe another kind, or nothing
    explanation = """
        A modeline, the comment '# yaml-language-server: $schema=PATH' at the top of a file,
        tells editors which schema to check the file against as it is written. Its path is
        relative to the file's own folder. When it names another kind's schema, editors
        suggest the wrong fields and flag the right ones; when it leads nowhere, they check
        nothing. The rule reads the path as written: it must stay inside the repository and
        name the schema of the file's kind ('roadmap.schema.json'; 'strategy.schema.json'
        fits every kind), as a path or a web address. It does not open or fetch the schema.

        Bad (in strategy/product/roadmap.yaml):
            # yaml-language-server: $schema=../schemas/messaging.schema.json

        Fix: name the file's own kind, counting one '../' per folder up to the schemas
        ('stratlint schemas' writes them to schemas/ at the repository root):
            # yaml-language-server: $schema=../../schemas/roadmap.schema.json
        """

    def check(self, view: FileView) -> Iterator[Diagnostic]:
        kind = view.loaded.kind
        found = find_modeline(view.loaded.text) if kind is not None else None
        if kind is None or found is None or found.target.lower() == "none":
            return
        reference = _schema_reference(posixpath.dirname(view.path), found.target)
        fits = reference.kinds is not None and kind in reference.kinds
        if fits and not reference.absolute and not reference.outside:
            return  # nearly every modeline: nothing more to work out
        wanted = schema_filename(kind)
        suggested = modeline(view.path, f"schemas/{wanted}")
        if reference.absolute:
            message = (
                f"The modeline names the absolute path '{found.target}', which exists on one machine only; "
                f"write the path from this file's folder instead, e.g. '{suggested}'."
            )
        elif reference.outside:
            folder = posixpath.dirname(view.path) or "the repository root"
            message = (
                f"The modeline's path '{found.target}' leads outside the repository from this file's folder "
                f"({folder}), so editors find no schema there; count one '../' per folder, e.g. '{suggested}'."
            )
        elif reference.kinds is None:
            message = (
                f"The modeline names '{found.target}', which is not a stratlint schema, so editors do not check "
                f"this {kind} file as stratlint does; name {wanted}, e.g. '{suggested}'."
            )
        elif kind not in reference.kinds:
            other = " or ".join(sorted(reference.kinds))
            folder = found.target.rsplit("/", 1)[0] + "/" if "/" in found.target else ""
            message = (
                f"This {kind} file's modeline names the {other} schema ('{found.target}'), so editors check it "
                f"against another kind's fields; name {wanted} instead: '$schema={folder}{wanted}'."
            )
        else:
            return
        span = Span(found.line, found.column, found.line, found.column + len(found.target))
        fix = self._fix(view.path, span, found.target, reference, kind)
        yield self.at(view.path, span, message, subject=found.target, fix=fix)

    @staticmethod
    def _fix(path: str, span: Span, target: str, reference: SchemaReference, kind: str) -> Fix:
        """A stale path to the right schema (absolute, or leading outside) is safe to
        rewrite: it becomes the path to the same schema file in schemas/ at the repository
        root, where 'stratlint schemas' writes it. Naming another schema changes what the
        modeline means: unsafe."""
        folder = posixpath.dirname(path) or "."
        name = posixpath.basename(target.split("#", 1)[0].split("?", 1)[0].replace("\\", "/"))
        if reference.kinds is not None and kind in reference.kinds and (reference.absolute or reference.outside):
            fixed = posixpath.relpath(f"schemas/{name}", folder)
            return Fix(f"point the modeline at '{fixed}'", safe=True, edits=(Edit(path, span, fixed, replaces=target),))
        wanted = schema_filename(kind)
        if reference.kinds is not None and not (reference.absolute or reference.outside) and "#" not in target:
            fixed = target[: target.rfind("/") + 1] + wanted  # another kind's schema, beside this kind's
        else:
            fixed = posixpath.relpath(f"schemas/{wanted}", folder)
        return Fix(f"point the modeline at '{fixed}'", safe=False, edits=(Edit(path, span, fixed, replaces=target),))


LOAD_RULES: tuple[type[LoadRule], ...] = (
    InvalidYaml,
    DuplicateKey,
    SchemaViolation,
    UnknownKind,
    NotAnArtifact,
    InvalidEncoding,
    UnsupportedTag,
    AliasBomb,
    NestingTooDeep,
    FileTooLarge,
    MultipleDocuments,
    UnsupportedYamlVersion,
    MergeKey,
    NonScalarKey,
    UnreadableFile,
    ExtraSchemaViolation,
    TextCutByComment,
)

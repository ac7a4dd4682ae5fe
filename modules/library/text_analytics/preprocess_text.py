"""Preprocess Text: clean English text into space-separated tokens, one sentence per ``|||`` segment."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import Field, field_validator

from modules.sdk import (
    Column,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
    column,
)

from ._text import require_rows, text_column, unique_name

SENTENCE_SEPARATOR = " ||| "
URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
#: A token: a run of word characters that may hold inner hyphens, apostrophes, dots, slashes, @ and
#: colons ("state-of-the-art", "3.5", "and/or"), or one other visible character.
TOKEN = re.compile(r"\w+(?:[-'’./@:&]\w+)*|[^\w\s]")
NUMBER = re.compile(r"[+-]?\d+(?:[.,:/]\d+)*")
PIECE = re.compile(r"[^\W_]+|[^\w\s]|_")
SPECIAL = re.compile(r"[\W_]+")
REPEATS = re.compile(r"(.)\1{2,}", re.DOTALL)
IRREGULAR = {
    "won't": "will not",
    "can't": "can not",
    "shan't": "shall not",
    "ain't": "is not",
    "let's": "let us",
}
#: Pronouns whose "'s" is "is" (elsewhere "'s" is a possessive and stays).
IS_CONTRACTIONS = ("it", "he", "she", "that", "what", "there", "here", "who", "where", "how")
SUFFIXES = {"n't": " not", "'re": " are", "'ve": " have", "'ll": " will", "'d": " would", "'m": " am"}
CONTRACTION = re.compile(
    r"\b(?:" + "|".join(re.escape(w).replace("'", "['’]") for w in IRREGULAR) + r")(?!\w)"
    r"|\b(?:" + "|".join(IS_CONTRACTIONS) + r")['’]s(?!\w)"
    r"|\b\w+?(?:n['’]t|['’](?:re|ve|ll|d|m))(?!\w)",
    re.IGNORECASE,
)


class PreprocessText(Module):
    """Clean English text for the other text modules: one new column "Preprocessed <text column>".

    The steps run in this order, each switched on or off by its option:

    1. the custom regular expression is replaced (first, as in Azure);
    2. URLs and e-mail addresses are removed; backslashes become slashes;
    3. verb contractions are expanded ("don't" -> "do not", "it's" -> "it is"; a possessive "'s" stays);
    4. sentences are detected (simplemma's splitter) and joined with ``|||``;
    5. the text is split into tokens (words, numbers such as "3.5", single punctuation marks); with
       "Split tokens on special characters" a word such as "state-of-the-art" becomes four tokens;
    6. tokens are lowercased; number tokens removed ("mp3" keeps its digits); special characters
       removed from other tokens ("e-mail" -> "email", "3.5" stays); a character repeated more
       than twice is cut to two ("sooooo" -> "soo");
    7. stop words (scikit-learn's English list of 318 words, compared in lower case) are removed;
    8. each token is replaced by its lemma (simplemma's English dictionary, shipped in its wheel).

    Tokens are joined by single spaces. A missing cell stays missing. Azure uses a spaCy model for
    sentences and lemmas; the dictionary lemmatizer here needs no download and gives the same lemma
    for regular words ("cats" -> "cat", "running" -> "run", "was" -> "be").
    """

    id = "preprocess_text"
    name = "Preprocess Text"
    category = "Text Analytics"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        language: Literal["English"] = Field(
            "English", title="Language", description="Language of the text; English only, as in Azure."
        )
        text_column: str = column(
            "dataset", title="Text column to clean", description="The string column whose text is preprocessed."
        )
        remove_stop_words: bool = Field(
            True,
            title="Remove stop words",
            description="Drop common English words (scikit-learn's list: 'the', 'and', 'not'...).",
        )
        use_lemmatization: bool = Field(
            True, title="Use lemmatization", description="Replace each word by its dictionary form ('mice' -> 'mouse')."
        )
        detect_sentences: bool = Field(
            True,
            title="Detect sentences",
            description="Split the text into sentences and separate them with '|||' in the output.",
        )
        normalize_case_to_lowercase: bool = Field(
            True, title="Normalize case to lowercase", description="Lowercase every token."
        )
        remove_numbers: bool = Field(
            True, title="Remove numbers", description="Drop tokens that are numbers ('42', '3.5'); 'mp3' is kept."
        )
        remove_special_characters: bool = Field(
            True,
            title="Remove special characters",
            description="Remove characters that are neither letters nor digits; tokens left empty are dropped.",
        )
        remove_duplicate_characters: bool = Field(
            True,
            title="Remove duplicate characters",
            description="Cut runs of the same character longer than two down to two ('cooool' -> 'cool').",
        )
        remove_email_addresses: bool = Field(
            True, title="Remove email addresses", description="Remove anything shaped like name@domain.tld."
        )
        remove_urls: bool = Field(
            True, title="Remove URLs", description="Remove web addresses (scheme:// or www. up to the next space)."
        )
        expand_verb_contractions: bool = Field(
            True,
            title="Expand verb contractions",
            description="Write contracted verbs out in full: \"can't\" -> 'can not', \"we're\" -> 'we are'.",
        )
        normalize_backslashes_to_slashes: bool = Field(
            True, title="Normalize backslashes to slashes", description="Replace every backslash with a slash."
        )
        split_tokens_on_special_characters: bool = Field(
            True,
            title="Split tokens on special characters",
            description="Break words at inner special characters: 'state-of-the-art' -> 'state of the art'.",
        )
        custom_regular_expression: str = Field(
            "",
            max_length=1000,
            title="Custom regular expression",
            description="A Python regular expression whose matches are replaced before any other step; empty for none.",
        )
        custom_replacement_string: str = Field(
            "",
            max_length=1000,
            title="Custom replacement string",
            description="What replaces each match of the custom regular expression (\\1 refers to a group).",
        )

        @field_validator("custom_regular_expression")
        @classmethod
        def _compiles(cls, value: str) -> str:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
            return value

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        name = text_column(table.schema, params.text_column, "text_column")
        require_rows(table)
        clean = cleaner(params)
        values: list[Any] = []
        for i, cell in enumerate(table.df[name].astype(object)):
            if i % 1000 == 0:
                ctx.check_cancelled()
                ctx.progress(i / len(table.df), "preprocessing")
            values.append(None if _missing(cell) else clean(str(cell)))
        out_name = _output_name(table.df.columns, name)
        df = table.df.assign(**{out_name: pd.Series(values, index=table.df.index, dtype="str")})
        return {"results_dataset": DataTable(df, dict(table.meta))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        name = text_column(schema, params.text_column, "text_column")
        return {"results_dataset": schema.add(Column(_output_name(schema.names, name), "string"))}


def _output_name(taken: Any, name: str) -> str:
    return unique_name(f"Preprocessed {name}", [str(c) for c in taken])


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def cleaner(params: PreprocessText.Params) -> Callable[[str], str]:
    """The function that preprocesses one text with these options."""
    from simplemma import lemmatize, split_sentences
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    custom = re.compile(params.custom_regular_expression) if params.custom_regular_expression else None

    def clean_text(text: str) -> str:
        text = _before_tokens(text, params, custom)
        sentences = split_sentences(text, lang="en") if params.detect_sentences else [text]
        cleaned = (" ".join(clean_tokens(tokenize(s, params.split_tokens_on_special_characters))) for s in sentences)
        return SENTENCE_SEPARATOR.join(s for s in cleaned if s)

    def clean_tokens(tokens: list[str]) -> list[str]:
        out = []
        for token in tokens:
            if params.normalize_case_to_lowercase:
                token = token.lower()
            if params.remove_numbers and NUMBER.fullmatch(token):
                continue
            if params.remove_special_characters and not NUMBER.fullmatch(token):
                token = SPECIAL.sub("", token)  # a number keeps its decimal point
            if params.remove_duplicate_characters:
                token = REPEATS.sub(r"\1\1", token)
            if not token or (params.remove_stop_words and token.lower() in ENGLISH_STOP_WORDS):
                continue
            if params.use_lemmatization:
                token = lemmatize(token, lang="en")
            out.append(token)
        return out

    return clean_text


def _before_tokens(text: str, params: PreprocessText.Params, custom: re.Pattern[str] | None) -> str:
    """The steps on the whole text: the custom expression, URLs, e-mails, backslashes, contractions."""
    if custom is not None:
        try:
            text = custom.sub(params.custom_replacement_string, text)
        except (re.error, IndexError) as exc:
            raise ModuleError(
                f"the custom replacement string cannot be used with this expression: {exc}",
                param="custom_replacement_string",
            ) from None
    if params.remove_urls:
        text = URL.sub(" ", text)
    if params.remove_email_addresses:
        text = EMAIL.sub(" ", text)
    if params.normalize_backslashes_to_slashes:
        text = text.replace("\\", "/")
    if params.expand_verb_contractions:
        text = expand_contractions(text)
    return text


def tokenize(text: str, split_on_special: bool) -> list[str]:
    """Words (with inner special characters), numbers and single punctuation marks, in order."""
    tokens = TOKEN.findall(text)
    if not split_on_special:
        return tokens
    return [piece for token in tokens for piece in ([token] if NUMBER.fullmatch(token) else PIECE.findall(token))]


def expand_contractions(text: str) -> str:
    """Verb contractions written out; the first letter keeps its case ("Can't" -> "Can not")."""

    def full(match: re.Match[str]) -> str:
        word = match.group(0)
        key = word.lower().replace("’", "'")
        if key in IRREGULAR:
            expanded = IRREGULAR[key]
        elif key.endswith("'s"):
            expanded = key[:-2] + " is"
        else:
            suffix = next(s for s in SUFFIXES if key.endswith(s))
            expanded = key[: -len(suffix)] + SUFFIXES[suffix]
        if word[0].isupper():
            expanded = expanded[0].upper() + expanded[1:]
        return word[0] + expanded[1:] if word[0].lower() == expanded[0].lower() else expanded

    return CONTRACTION.sub(full, text)
